// Compare mode (docs/protocol.md `compare`): the page's playground A and a second one, B, on the
// same data, trained in lockstep by the server. B's side is a view of the page state with B's
// own network (its settings, weights, grids, losses and history); a second NetworkDiagram draws
// it, the loss chart draws both runs, and the difference map shows A's output minus B's.

import { page, markDirty, frameHistory } from "./state.js";
import { NetworkDiagram } from "./network.js";
import { byteToValue, gridImage, stopColour } from "./heatmap.js";
import { formatEpoch, formatLoss } from "./output.js";
import { networkLimits } from "./network-edits.js";

const $ = (id) => document.getElementById(id);

/** B as the NetworkDiagram reads it: what B has of its own, and the page's everything else. */
export const sideB = Object.assign(Object.create(page), {
  config: null, layerSizes: [], features: [], weights: null, biases: null, dead: null, grids: null, epoch: 0,
  gradients: null, showGradients: false, history: [], trainLoss: null, testLoss: null,
});

// `on`: the last state said the session compares; `side`: where the page's controls send changes.
export const comparison = { on: false, side: "b", differences: "" };

/** The side a `set` from the page's controls goes to (null when not comparing). */
export function changeSide() {
  return comparison.on ? comparison.side : null;
}

/** The configuration of `side` ("a", "b" or null: the page's). */
export function configOf(side) {
  return side === "b" && comparison.on ? sideB.config : page.config;
}

/** What the page's controls show: the configuration of the side they change. */
export function editedConfig() {
  return configOf(changeSide());
}

function sameList(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** A `state`: comparing or not, and B's settings and network. */
export function onCompareState(message) {
  const compare = message.compare;
  comparison.on = Boolean(compare);
  document.body.classList.toggle("comparing", comparison.on);
  if (!compare) {
    sideB.history = [];
    markDirty("compare", "chart", "controls");
    return;
  }
  if (!sameList(sideB.layerSizes, compare.layer_sizes) || !sameList(sideB.features, compare.features)) {
    Object.assign(sideB, { weights: null, biases: null, dead: null, grids: null }); // another network
  }
  Object.assign(sideB, { config: compare.config, layerSizes: compare.layer_sizes, features: compare.features,
    epoch: compare.epoch });
  comparison.differences = compare.differences;
  markDirty("compare", "controls");
}

/** B's frame (`side: "b"`). */
export function onFrameB(message) {
  Object.assign(sideB, { epoch: message.epoch, trainLoss: message.train_loss, testLoss: message.test_loss,
    weights: message.weights, biases: message.biases, dead: message.dead || null });
  sideB.history = frameHistory(sideB.history, message);
  markDirty("compare", "chart");
}

export function onGridsB(grids) {
  sideB.grids = grids;
  markDirty("compare");
}

// B's lines on the loss chart: the --compare-b colour of playground.css (its legend's too).
function colourText([r, g, b], alpha = 1) {
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** B's run for the loss chart ({history, train, test}), or null when not comparing. */
export function secondRun() {
  if (!comparison.on) return null;
  const colour = stopColour("--compare-b");
  return { history: sideB.history, train: colourText(colour, 0.45), test: colourText(colour) };
}

// The difference map's scale: --difference-b (B higher) through white to --difference-a (A higher).
function differenceColour(value, low, high) {
  const white = [255, 255, 255];
  const end = value >= 0 ? high : low;
  const t = Math.min(1, Math.abs(value));
  return white.map((channel, i) => Math.round(channel + (end[i] - channel) * t));
}

// An output code as a value: two classes or a regression −1…1, K classes a probability 0…1.
function outputValues(grids) {
  if (grids.outputs.length === 1) return [Float32Array.from(grids.output, byteToValue)];
  return grids.outputs.map((codes) => Float32Array.from(codes, (code) => code / 255));
}

/**
 * A's output minus B's per cell: with one output its value's difference (−2…2, drawn halved);
 * with K classes half the summed differences of the probabilities (0…1: how far apart they are).
 */
function differences(a, b) {
  const left = outputValues(a);
  const right = outputValues(b);
  const cells = left[0].length;
  const out = new Float32Array(cells);
  for (let i = 0; i < cells; i++) {
    if (left.length === 1) out[i] = (left[0][i] - right[0][i]) / 2;
    else out[i] = left.reduce((sum, map, k) => sum + Math.abs(map[i] - right[k][i]), 0) / 2;
  }
  return out;
}

function drawDifference(canvas) {
  const a = page.grids;
  const b = sideB.grids;
  if (!a || !b || a.size !== b.size || a.outputs.length !== b.outputs.length) return;
  const values = differences(a, b);
  const { context, image, pixels } = gridImage(canvas, a.size);
  const low = stopColour("--difference-b");
  const high = stopColour("--difference-a");
  let largest = 0;
  values.forEach((value, i) => {
    const [r, g, bl] = differenceColour(value, low, high);
    pixels[i] = (255 << 24) | (bl << 16) | (g << 8) | r; // little-endian RGBA
    largest = Math.max(largest, Math.abs(value));
  });
  context.putImageData(image, 0, 0);
  canvas.dataset.drawn = String(a.epoch);
  canvas.dataset.largest = largest.toFixed(4);
  const ticks = a.outputs.length > 1 ? ["", "same", "far apart"] : ["B higher", "same", "A higher"];
  $("difference-ticks").querySelectorAll("span").forEach((span, i) => { span.textContent = ticks[i]; });
}

function drawScale(canvas) {
  const context = canvas.getContext("2d");
  const low = stopColour("--difference-b");
  const high = stopColour("--difference-a");
  for (let px = 0; px < canvas.width; px++) {
    const [r, g, b] = differenceColour((px / (canvas.width - 1)) * 2 - 1, low, high);
    context.fillStyle = `rgb(${r}, ${g}, ${b})`;
    context.fillRect(px, 0, 1, canvas.height);
  }
}

const NO_CARD = { attach() {}, hide() {}, refresh() {} }; // B's links and biases are not edited by hand

/** The Compare button, the side chosen, "Stop comparing", B's diagram, losses and the difference map. */
export class CompareView {
  /** `send(message)`; `actions`: B's diagram's {toggleFeature, resizeLayer, changeLayers} (they change B);
   * `onSide()`: the side the controls change was switched (they show that side's values now). */
  constructor(send, actions, onSide) {
    this.send = send;
    this.onSide = onSide;
    this.changeLayers = actions.changeLayers;
    this.diagram = new NetworkDiagram($("network-b"), NO_CARD, { ...actions, focus: () => {} },
      { view: sideB, idPrefix: "b-", editable: false });
  }

  wire() {
    $("compare-button").addEventListener("click", () => {
      if (comparison.on) this.stop();
      else this.send({ type: "compare", on: true });
    });
    $("compare-stop").addEventListener("click", () => this.stop());
    $("b-add-layers").addEventListener("click", () => this.changeLayers(+1));
    $("b-remove-layers").addEventListener("click", () => this.changeLayers(-1));
    for (const side of ["a", "b"]) {
      $(`compare-side-${side}`).addEventListener("change", () => {
        comparison.side = side;
        this.onSide();
        markDirty("compare", "controls");
      });
    }
    drawScale($("difference-scale"));
  }

  /** "Stop comparing" keeps the side the changes went to. */
  stop() {
    this.send({ type: "compare", on: false, keep: comparison.side });
  }

  render() {
    const on = comparison.on;
    $("compare-panel").hidden = !on;
    const button = $("compare-button");
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? "Stop comparing" : "Compare";
    $("compare-stop").textContent = `Stop comparing (keep ${comparison.side.toUpperCase()})`;
    $(`compare-side-${comparison.side}`).checked = true;
    $("chart-legend").hidden = !on;
    if (!on || !sideB.config) return;
    $("compare-differences").textContent = comparison.differences || "nothing yet (same settings)";
    $("b-epoch").textContent = formatEpoch(sideB.epoch);
    $("b-loss-test").textContent = page.data.test.length ? formatLoss(sideB.testLoss) : "–";
    $("b-loss-train").textContent = page.data.train.length ? formatLoss(sideB.trainLoss) : "–";
    const shape = sideB.config.networkShape;
    $("b-layers").textContent = shape.length === 1 ? "1 hidden layer" : `${shape.length} hidden layers`;
    $("b-add-layers").disabled = shape.length >= networkLimits().layers;
    $("b-remove-layers").disabled = shape.length === 0;
    if (this.diagram.needsRebuild()) this.diagram.rebuild();
    else this.diagram.update();
    this.diagram.updateLayerButtons(networkLimits().neurons);
    this.diagram.drawMaps(page.config.discretize);
    drawDifference($("compare-difference"));
  }

  /** The page was resized: B's diagram is laid out again. */
  resize() {
    this.diagram.forceRebuild();
  }
}
