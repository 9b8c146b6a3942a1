// Gradients while training: the "Show gradients" toggle and the chart of each
// layer's gradient size over time. The numbers are the engine's (every frame's
// `gradient_sizes`, and the links' `gradients` while the toggle is on); this
// module only keeps a bounded history of the sizes and draws it, on a log scale
// so that vanishing (tiny first layers) and exploding (sizes growing without
// bound) gradients stand out.

import { fitCanvas } from "./canvas.js";
import { page, markDirty } from "./state.js";

// Past this many points every other one goes: memory stays bounded and the chart,
// a couple of hundred pixels wide, looks the same.
const MAX_POINTS = 600;
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf", "#000"];
const LABEL_ROOM = 34; // px right of the lines for the layers' names
const LABEL_GAP = 10; // px between two layers' names, one above the other

/** The frame's gradients into the page state: the sizes' history, the links' gradients. */
export function applyGradients(message) {
  page.gradients = message.gradients || null;
  const sizes = message.gradient_sizes;
  if (message.history_reset || sizes?.length !== page.gradientHistory[0]?.sizes.length) page.gradientHistory = [];
  if (!sizes) return;
  const last = page.gradientHistory.at(-1);
  if (last && last.epoch === message.epoch && sameSizes(last.sizes, sizes)) return;
  page.gradientHistory.push({ epoch: message.epoch, sizes });
  if (page.gradientHistory.length > MAX_POINTS) page.gradientHistory = page.gradientHistory.filter((_, i) => i % 2 === 1);
  markDirty("gradients");
}

function sameSizes(a, b) {
  return a.every((value, i) => value === b[i]);
}

/** Wire the toggle: the server sends the links' gradients only while it is on. */
export function wireGradientToggle(checkbox, chartBox, send) {
  checkbox.addEventListener("change", () => {
    page.showGradients = checkbox.checked;
    chartBox.hidden = !checkbox.checked;
    send({ type: "gradients", on: checkbox.checked });
    if (!checkbox.checked) page.gradients = null;
    markDirty("network", "gradients");
  });
}

/** The layers' names as the chart labels them: hidden layers by number, then the output. */
function layerName(layer, layers) {
  return layer === layers - 1 ? "out" : `L${layer + 1}`;
}

/** One line per weight layer of log10(gradient RMS) against the epoch. */
export function drawGradientChart(canvas) {
  const { context, width, height } = fitCanvas(canvas);
  context.font = "10px sans-serif";
  context.clearRect(0, 0, width, height);
  const points = page.gradientHistory;
  const layers = points[0]?.sizes.length ?? 0;
  const logs = points.flatMap((p) => p.sizes.filter((s) => s > 0 && Number.isFinite(s)).map(Math.log10));
  canvas.dataset.points = String(points.length);
  if (points.length < 2 || !logs.length) return;
  const low = Math.floor(Math.min(...logs));
  const high = Math.max(low + 1, Math.ceil(Math.max(...logs)));
  const first = points[0].epoch, last = points.at(-1).epoch;
  const plotWidth = width - LABEL_ROOM;
  const x = (epoch) => 1 + ((epoch - first) / Math.max(1, last - first)) * (plotWidth - 2);
  const y = (log) => height - 8 - ((log - low) / (high - low)) * (height - 16);
  drawDecades(context, low, high, y, plotWidth);
  const labels = [];
  for (let layer = 0; layer < layers; layer++) {
    const colour = COLOURS[layer % COLOURS.length];
    const end = drawLayer(context, points, layer, x, y, colour);
    if (end !== null) labels.push({ at: end, text: layerName(layer, layers), colour });
  }
  for (const label of spread(labels, height)) {
    context.fillStyle = label.colour;
    context.fillText(label.text, plotWidth + 3, label.at + 3);
  }
}

// Labels at their lines' ends, pushed apart so that close lines' names stay readable.
function spread(labels, height) {
  labels.sort((a, b) => a.at - b.at);
  for (let i = 1; i < labels.length; i++) labels[i].at = Math.max(labels[i].at, labels[i - 1].at + LABEL_GAP);
  const overflow = (labels.at(-1)?.at ?? 0) - (height - 4);
  if (overflow > 0) for (const label of labels) label.at -= overflow;
  return labels;
}

// A faint rule and its label at each power of ten.
function drawDecades(context, low, high, y, plotWidth) {
  const step = Math.max(1, Math.ceil((high - low) / 4));
  context.strokeStyle = "#ddd";
  context.fillStyle = "#888";
  context.lineWidth = 1;
  for (let decade = low; decade <= high; decade += step) {
    context.beginPath();
    context.moveTo(0, y(decade));
    context.lineTo(plotWidth, y(decade));
    context.stroke();
    context.fillText(`1e${decade}`, 2, Math.max(9, y(decade) - 2));
  }
}

// A layer's line; a size of 0 (before the first update) or not finite breaks it. Returns the last y.
function drawLayer(context, points, layer, x, y, colour) {
  context.beginPath();
  context.strokeStyle = colour;
  context.lineWidth = 1.5;
  let drawing = false, end = null;
  for (const point of points) {
    const size = point.sizes[layer];
    if (!(size > 0 && Number.isFinite(size))) {
      drawing = false;
      continue;
    }
    end = y(Math.log10(size));
    if (drawing) context.lineTo(x(point.epoch), end);
    else context.moveTo(x(point.epoch), end);
    drawing = true;
  }
  context.stroke();
  return end;
}
