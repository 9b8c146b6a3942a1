// The user's own data: reading and checking a CSV of x,y,label rows, writing
// the current dataset as CSV, and turning a click on the output square into a
// point. The server checks the same rules again (docs/protocol.md `points`).

import { toData } from "./heatmap.js";
import { page } from "./state.js";

export class CsvError extends Error {}

function isHeader(cells) {
  return cells.some((cell) => cell !== "" && !Number.isFinite(Number(cell)));
}

function rowProblem(values, regression) {
  if (values.length !== 3) return `expected three values x, y, label, got ${values.length}`;
  if (!values.every(Number.isFinite)) return "x, y and label must be numbers";
  const [x, y, label] = values;
  const extent = page.limits.extent;
  if (Math.abs(x) > extent || Math.abs(y) > extent) return `x and y must lie within ±${extent}`;
  if (!regression && label !== 1 && label !== -1) return "label must be 1 or -1 for classification";
  return null;
}

/**
 * Parse CSV text into [[x, y, label], …]. A first line of words is a header.
 * Throws CsvError naming the line number of the first bad row.
 */
export function parseCsv(text, regression) {
  const lines = text.split(/\r?\n/);
  const points = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const cells = line.split(",").map((cell) => cell.trim());
    if (points.length === 0 && index === firstContentLine(lines) && isHeader(cells)) return;
    const values = cells.map((cell) => (cell === "" ? NaN : Number(cell)));
    const problem = rowProblem(values, regression);
    if (problem) throw new CsvError(`row ${index + 1}: ${problem}`);
    points.push(values);
  });
  if (points.length === 0) throw new CsvError("the file has no data rows (expected x,y,label)");
  const most = page.limits.max_points;
  if (points.length > most) throw new CsvError(`at most ${most} points, the file has ${points.length}`);
  return points;
}

function firstContentLine(lines) {
  return lines.findIndex((line) => line.trim() !== "");
}

/** CSV text of the current training and test points. */
export function toCsv(data) {
  const rows = [...data.train, ...data.test].map((row) => row.map((value) => String(value)).join(","));
  return ["x,y,label", ...rows].join("\n") + "\n";
}

/** Offer `content` as a file download. */
export function download(filename, content, type) {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The point a click on the output square stands for. Classification: blue (+1),
 * or orange (−1) with Shift; regression: the value typed in the value field.
 */
export function pointFromClick(event, element, regression, regressionValue) {
  const box = element.getBoundingClientRect();
  const [x, y] = toData(event.clientX - box.left, event.clientY - box.top, box.width);
  const extent = page.limits.extent;
  const clamp = (v) => Math.max(-extent, Math.min(extent, v));
  const round = (v) => Math.round(v * 1000) / 1000;
  const label = regression ? Math.max(-1, Math.min(1, regressionValue)) : event.shiftKey ? -1 : 1;
  return [round(clamp(x)), round(clamp(y)), label];
}
