// "Step through backprop": the real algorithm on the chosen training point, stage by
// stage, with next/previous (buttons, → ← or n p; Esc leaves): the forward pass layer
// by layer → the loss and its derivative at the output → backpropagation layer by
// layer (each neuron's δ, each link's dE/dw) → the update each weight would get.
// "Apply this update" has the server perform exactly that step; leaving changes nothing.

import { page } from "./state.js";
import { short } from "./explain-overlay.js";

const $ = (id) => document.getElementById(id);
const NEXT_KEYS = new Set(["ArrowRight", "n", "N"]);
const PREVIOUS_KEYS = new Set(["ArrowLeft", "p", "P"]);

function range(from, to) {
  return new Set(Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i));
}

/** The stages of one explanation: what the diagram shows and the line of text saying what happens. */
export function stages(explained) {
  const depth = explained.layers.length;
  const all = range(0, depth);
  const list = [];
  for (let l = 0; l < depth; l++) {
    const where = l === depth - 1 ? "the output layer" : `hidden layer ${l + 1}`;
    list.push({ show: { layers: l + 1, deltas: new Set(), links: null, linkLayers: new Set() },
      text: `Forward propagation, ${where}: each neuron adds its bias to the weighted sum of the outputs `
        + "below (z), then passes it through its activation (a = f(z))." });
  }
  list.push({ show: { layers: depth, deltas: new Set([depth - 1]), links: null, linkLayers: new Set() },
    text: `The error: for label ${explained.label} the output ${explained.output.map(short).join(", ")} `
      + `costs a loss of ${short(explained.loss)}; its derivative δ = dE/dz is shown on the output.` });
  for (let l = depth - 1; l >= 0; l--) {
    const where = l === 0 ? "the first layer" : `layer ${l + 1}`;
    list.push({ show: { layers: depth, deltas: range(l, depth), links: "gradient", linkLayers: range(l, depth) },
      text: `Backward propagation, ${where}: `
        + (l === depth - 1 ? "" : "each neuron's δ = dE/dz is the sum of weight × δ over its links above, times f′(z); ")
        + "each link into it gets the gradient dE/dw = δ × its source's output (colour and width; hover for the value)." });
  }
  list.push({ show: { layers: depth, deltas: all, links: "update", linkLayers: all }, update: true,
    text: `The update at learning rate ${explained.learning_rate}: each weight moves `
      + "against its gradient (with the optimizer and regularization in force), old → new on hover. "
      + "Apply it, or leave to change nothing." });
  return list;
}

export class BackpropSteps {
  /** `hover`: the ExplainHover (requests and the overlay); `send(message)`; `pause()` stops training. */
  constructor(hover, send, pause) {
    this.hover = hover;
    this.send = send;
    this.pause = pause;
    this.explained = null;
    this.list = [];
    this.at = 0;
  }

  wire() {
    $("backprop-start-button").addEventListener("click", () => this.start());
    $("backprop-next-button").addEventListener("click", () => this.go(+1));
    $("backprop-previous-button").addEventListener("click", () => this.go(-1));
    $("backprop-leave-button").addEventListener("click", () => this.leave());
    $("backprop-apply-button").addEventListener("click", () => this.apply());
    // Capturing: while stepping, → and ← walk the stages instead of training an epoch.
    document.addEventListener("keydown", (event) => this.key(event), true);
  }

  get active() {
    return this.hover.listener !== null;
  }

  start() {
    if (page.playing) this.pause();
    this.hover.listener = (explained) => this.begin(explained);
    if (!this.hover.explainChosen()) {
      this.hover.listener = null;
      $("explain-text").textContent = "There are no training points to step through.";
    }
  }

  begin(explained) {
    this.explained = explained;
    this.list = stages(explained);
    this.at = 0;
    $("backprop-controls").hidden = false;
    this.draw();
  }

  go(by) {
    if (!this.explained) return;
    this.at = Math.max(0, Math.min(this.list.length - 1, this.at + by));
    this.draw();
  }

  draw() {
    if (!this.explained) return;
    const stage = this.list[this.at];
    this.hover.overlay.draw(this.explained, stage.show);
    $("explain-text").textContent = stage.text;
    $("backprop-stage").textContent = `Stage ${this.at + 1} of ${this.list.length}`;
    $("backprop-apply-button").disabled = !stage.update;
    $("backprop-previous-button").disabled = this.at === 0;
    $("backprop-next-button").disabled = this.at === this.list.length - 1;
  }

  /** After the diagram was rebuilt: the current stage again. */
  redraw() {
    if (this.explained) this.draw();
  }

  apply() {
    const { x, y, label } = this.explained;
    this.send({ type: "apply_example", x, y, label });
  }

  /** The server's `applied`: the step is done, the frame that follows shows its weights. */
  onApplied(applied) {
    this.leave();
    $("explain-text").textContent = `Applied one training step on the point (${short(applied.x)}, `
      + `${short(applied.y)}) with label ${applied.label}.`;
  }

  /** A refused request: a start still waiting for its explanation gets none. */
  onError() {
    if (this.active && !this.explained) this.leave();
  }

  leave() {
    this.hover.listener = null;
    this.explained = null;
    $("backprop-controls").hidden = true;
    this.hover.leave();
  }

  key(event) {
    if (!this.explained || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    const handled = NEXT_KEYS.has(event.key) ? this.go(+1) ?? true
      : PREVIOUS_KEYS.has(event.key) ? this.go(-1) ?? true
        : event.key === "Escape" ? this.leave() ?? true : false;
    if (handled) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }
}
