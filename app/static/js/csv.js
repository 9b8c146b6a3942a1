// CSV of the user's own data: reading and checking x,y,label rows, and writing
// the current dataset. The server checks the same rules again with the same
// limits (docs/protocol.md `points`; limits of /settings.json).

import { page } from "./state.js";
import { classCount } from "./classes.js";

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
  if (regression) return null;
  const classes = classCount(); // K ≥ 3: labels 0…K−1; two classes: ±1
  if (classes && !(Number.isInteger(label) && label >= 0 && label < classes)) {
    return `label must be a class 0 to ${classes - 1}`;
  }
  if (!classes && label !== 1 && label !== -1) return "label must be 1 or -1 for classification";
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
