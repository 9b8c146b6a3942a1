// The metrics under the losses (accuracy, or R² and mean absolute error), the effective
// learning rate beside the chosen one, why training stopped, and the confusion matrix
// (rows = true class, columns = predicted, as the server counts them): clicking a cell
// marks its points on the output square, from each point's predicted class, which the
// server sends only while a cell is selected.

import { page, markDirty } from "./state.js";

const $ = (id) => document.getElementById(id);

// How the page words each metric of a frame (docs/protocol.md names them).
const LABELS = {
  test_accuracy: "Test accuracy", train_accuracy: "Training accuracy", test_r2: "Test R²",
  train_r2: "Training R²", test_mae: "Test mean absolute error", train_mae: "Training mean absolute error",
};
const PERCENT = new Set(["test_accuracy", "train_accuracy"]);

function formatMetric(name, value) {
  if (!Number.isFinite(value)) return "–";
  return PERCENT.has(name) ? `${(100 * value).toFixed(1)}%` : value.toFixed(3);
}

/** Everything this module shows, from the last frame. */
export function drawMetrics() {
  drawMetricRows();
  drawStopReason();
  drawLearningRate();
  drawConfusion();
}

function drawMetricRows() {
  const box = $("metrics");
  const names = Object.keys(page.metrics);
  if (box.dataset.names !== names.join(",")) {
    box.replaceChildren(...names.map(metricRow));
    box.dataset.names = names.join(",");
  }
  for (const name of names) $(`metric-${name}`).textContent = formatMetric(name, page.metrics[name]);
}

function metricRow(name) {
  const row = document.createElement("div");
  const output = document.createElement("output");
  output.id = `metric-${name}`;
  row.append(`${LABELS[name] ?? name} `, output);
  return row;
}

function drawStopReason() {
  const line = $("stop-reason");
  line.hidden = !page.stopReason;
  line.textContent = page.stopReason ?? "";
}

// Beside the learning-rate control: the rate in force when a schedule changes it.
function drawLearningRate() {
  const control = document.querySelector(".control[data-setting='learningRate']");
  if (!control) return;
  let output = $("effective-learning-rate");
  if (!output) {
    output = document.createElement("output");
    output.id = "effective-learning-rate";
    output.className = "effective-rate";
    control.append(output);
  }
  const scheduled = page.config?.lrSchedule !== "constant" && Number.isFinite(page.learningRate);
  output.hidden = !scheduled;
  output.textContent = scheduled ? `now ${Number(page.learningRate.toPrecision(3))}` : "";
}

// --- the confusion matrix ---------------------------------------------------------------

const selectedSet = () => ($("confusion-train").checked ? "train" : "test");

// K = 2 classes are the labels −1 and +1; K ≥ 3 classes are numbered.
function classNames(k) {
  return k === 2 ? ["−1", "+1"] : Array.from({ length: k }, (_, i) => String(i));
}

function headerCell(text, scope) {
  const cell = document.createElement("th");
  cell.scope = scope;
  cell.textContent = text;
  return cell;
}

function buildTable(table, k) {
  const names = classNames(k);
  const head = document.createElement("tr");
  head.append(headerCell("true \\ predicted", "col"), ...names.map((name) => headerCell(name, "col")));
  const rows = names.map((name, row) => {
    const line = document.createElement("tr");
    line.append(headerCell(name, "row"));
    for (let column = 0; column < k; column++) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = row === column ? "cell right" : "cell wrong";
      Object.assign(button.dataset, { row: String(row), column: String(column) });
      const cell = document.createElement("td");
      cell.append(button);
      line.append(cell);
    }
    return line;
  });
  table.replaceChildren(head, ...rows);
  table.dataset.k = String(k);
}

function drawConfusion() {
  const panel = $("confusion-panel");
  const matrix = page.confusion?.[selectedSet()];
  panel.hidden = !matrix;
  if (!matrix) return;
  const table = $("confusion");
  if (table.dataset.k !== String(matrix.length)) buildTable(table, matrix.length);
  const names = classNames(matrix.length);
  const chosen = page.selectedCell;
  for (const button of table.querySelectorAll("button.cell")) {
    const row = Number(button.dataset.row);
    const column = Number(button.dataset.column);
    button.textContent = String(matrix[row][column]);
    const pressed = chosen !== null && chosen.row === row && chosen.column === column;
    button.setAttribute("aria-pressed", String(pressed));
    button.setAttribute("aria-label", `${matrix[row][column]} points of class ${names[row]} predicted ${names[column]}`);
  }
}

/** Clicking a cell selects it (and asks for the predictions); clicking it again, or another set, clears it. */
export function wireConfusion(send) {
  const select = (cell) => {
    page.selectedCell = cell;
    send({ type: "predictions", on: cell !== null });
    markDirty("metrics", "data");
  };
  $("confusion").addEventListener("click", (event) => {
    const button = event.target.closest("button.cell");
    if (!button) return;
    const cell = { set: selectedSet(), row: Number(button.dataset.row), column: Number(button.dataset.column) };
    const chosen = page.selectedCell;
    const same = chosen && chosen.set === cell.set && chosen.row === cell.row && chosen.column === cell.column;
    select(same ? null : cell);
  });
  for (const id of ["confusion-test", "confusion-train"]) {
    $(id).addEventListener("change", () => (page.selectedCell ? select(null) : markDirty("metrics")));
  }
  return { clear: () => page.selectedCell && select(null) };
}

// A point's true class: K = 2 labels ±1 are classes 0 and 1; K ≥ 3 labels are class indices.
function trueClass(label, k) {
  return k === 2 ? (label > 0 ? 1 : 0) : label;
}

/** The points of the selected cell: its set's points of that true class predicted as that column. */
export function markedPoints() {
  const chosen = page.selectedCell;
  const digits = chosen && page.predicted?.[chosen.set];
  const points = chosen ? page.data[chosen.set] : [];
  if (!digits || digits.length !== points.length || !page.confusion) return [];
  const k = page.confusion[chosen.set].length;
  return points.filter(([, , label], i) => trueClass(label, k) === chosen.row
    && parseInt(digits[i], 36) === chosen.column);
}
