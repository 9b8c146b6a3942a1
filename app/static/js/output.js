// The output column: the big heatmap with its points, the loss numbers, the
// loss chart, the colour legend, and the PNG of the output square.

import { colorOf, drawGrid, drawPoints, drawRings, TRAIN_OUTLINE, TEST_OUTLINE } from "./heatmap.js";
import { classTable, drawClassGrid, drawClassLegend, labelColour } from "./classes.js";
import { drawLossChart } from "./chart.js";
import { markedPoints } from "./metrics.js";
import { page } from "./state.js";

const heatmap = () => document.getElementById("heatmap");
const gridCanvas = () => heatmap().querySelector("canvas.grid");
const pointsCanvas = () => heatmap().querySelector("canvas.points");

/**
 * The big square: the hovered neuron's map, else the output's. With K classes the
 * output is the most likely class (drawClassGrid), and a hovered output neuron
 * shows its class's probability at full resolution.
 */
export function drawOutput() {
  const grids = page.grids;
  if (!grids || !page.config) return;
  const focus = page.focusNeuron;
  const classes = grids.outputs.length;
  const outputIndex = focus === null ? -1 : focus - (grids.thumbnails.length - classes); // its full grid beats its thumbnail
  if (focus !== null && outputIndex < 0 && grids.thumbnails[focus]) {
    drawGrid(gridCanvas(), grids.thumbnails[focus], grids.thumbSize, false);
  } else if (classes > 1 && outputIndex >= 0) {
    drawGrid(gridCanvas(), grids.outputs[outputIndex], grids.size, false, classTable(outputIndex));
  } else if (classes > 1) {
    drawClassGrid(gridCanvas(), grids.outputs, grids.size, page.config.discretize);
  } else {
    drawGrid(gridCanvas(), grids.output, grids.size, page.config.discretize);
  }
}

/** Training points (white outline) and, with "show test data", test points (black outline); a ring
 * around the points of the selected confusion cell (test points too, even when not shown). */
export function drawDataPoints() {
  const canvas = pointsCanvas();
  const side = canvas.clientWidth;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(side * ratio);
  canvas.height = Math.round(side * ratio);
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  drawPoints(context, page.data.train, side, TRAIN_OUTLINE, labelColour);
  if (page.config?.showTestData) drawPoints(context, page.data.test, side, TEST_OUTLINE, labelColour);
  const marked = markedPoints();
  if (page.selectedCell?.set === "test" && !page.config?.showTestData) drawPoints(context, marked, side, TEST_OUTLINE, labelColour);
  drawRings(context, marked, side);
  heatmap().dataset.marked = String(marked.length);
}

export function formatLoss(value) {
  return Number.isFinite(value) ? value.toFixed(3) : "–";
}

// The original shows the epoch as six digits with a thousands comma: 000,123.
export function formatEpoch(epoch) {
  const digits = String(epoch).padStart(6, "0");
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function drawNumbers() {
  document.getElementById("iter-number").textContent = formatEpoch(page.epoch);
  // A set without points has no loss (the engine's 0 would read as a perfect fit).
  document.getElementById("loss-train").textContent = page.data.train.length ? formatLoss(page.trainLoss) : "–";
  document.getElementById("loss-test").textContent = page.data.test.length ? formatLoss(page.testLoss) : "–";
}

/** The loss chart; `second`: Compare mode's B run ({history, train, test}: its points and colours). */
export function drawChart(second = null) {
  drawLossChart(document.querySelector("#linechart canvas"), page.history, page.branches, second);
}

/** The orange–blue scale (values, weights; two classes' points), and the classes when K ≥ 3. */
export function drawLegend() {
  drawClassLegend(document.getElementById("class-legend"));
  const canvas = document.getElementById("legend-scale");
  const context = canvas.getContext("2d");
  for (let px = 0; px < canvas.width; px++) {
    context.fillStyle = colorOf((px / (canvas.width - 1)) * 2 - 1);
    context.fillRect(px, 0, 1, canvas.height);
  }
}

/** The output square as the user sees it (map and points), as a PNG blob. */
export function outputPng() {
  const side = 300;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = side;
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = true;
  context.fillStyle = "#fff"; // the translucent map lies on the page's white
  context.fillRect(0, 0, side, side);
  context.drawImage(gridCanvas(), 0, 0, side, side);
  context.drawImage(pointsCanvas(), 0, 0, side, side);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}
