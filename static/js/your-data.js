// The "Your data" panel and the output square: points the user clicks onto the
// square, clearing them, and uploading or downloading them as CSV.

import { page, isRegression } from "./state.js";
import { parseCsv, toCsv, CsvError } from "./csv.js";
import { download } from "./download.js";
import { toData } from "./heatmap.js";
import { showFeedback, showMessage } from "./notices.js";

const $ = (id) => document.getElementById(id);

/**
 * The point a click on the output square stands for. Classification: blue (+1),
 * or orange (−1) with Shift; regression: the value typed in the value field.
 */
function pointFromClick(event, element, regression, regressionValue) {
  const box = element.getBoundingClientRect();
  const [x, y] = toData(event.clientX - box.left, event.clientY - box.top, box.width);
  const extent = page.limits.extent;
  const clamp = (v) => Math.max(-extent, Math.min(extent, v));
  const round = (v) => Math.round(v * 1000) / 1000;
  const label = regression ? Math.max(-1, Math.min(1, regressionValue)) : event.shiftKey ? -1 : 1;
  return [round(clamp(x)), round(clamp(y)), label];
}

async function readCsvFile(input, send) {
  const file = input.files[0];
  input.value = ""; // choosing the same file again must fire `change` again
  if (!file) return;
  try {
    const points = parseCsv(await file.text(), isRegression());
    send({ type: "points", points, mode: "replace" });
    showFeedback(`${points.length} points uploaded from ${file.name}.`);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    showMessage(`${file.name}: ${error.message}`);
  }
}

function addClickedPoint(event, send) {
  const value = Number($("point-value").value);
  const point = pointFromClick(event, $("heatmap"), isRegression(), Number.isFinite(value) ? value : 1);
  send({ type: "points", points: [point], mode: "add" });
}

export function wireYourData({ send }) {
  $("heatmap").addEventListener("click", (event) => addClickedPoint(event, send));
  $("clear-points-button").addEventListener("click", () => send({ type: "points", points: [], mode: "replace" }));
  $("upload-csv").addEventListener("change", (event) => readCsvFile(event.target, send));
  $("download-csv-button").addEventListener("click", () => download("neural-playground-data.csv", toCsv(page.data), "text/csv"));
}
