// One example through the network, on request: hovering the output square asks the
// server to `explain` the point under the pointer (one request in flight at a time,
// the newest position sent next) and the diagram shows each neuron's z and a for it;
// the training point nearest the pointer is the chosen one, and Enter on the square
// explains it with its label and loss. Leaving restores the view.

import { page } from "./state.js";
import { toData } from "./heatmap.js";
import { ExplainOverlay, short } from "./explain-overlay.js";

const $ = (id) => document.getElementById(id);
const CHOSEN_RADIUS = 0.6; // data units: a training point this near the pointer is the chosen one

/** The last explanation the server sent (the browser tests read it). */
export const shown = { explained: null };

export class ExplainHover {
  /** `send(message)`; `onLabelled(explained)`: a labelled answer (the step-through wants it). */
  constructor(diagram, send) {
    this.overlay = new ExplainOverlay(diagram);
    this.send = send;
    this.inFlight = false;
    this.next = null; // the newest request waiting for the answer in flight
    this.active = false;
    this.chosen = null; // [x, y, label] of the chosen training point
    this.listener = null; // who takes labelled answers (the step-through); else they are drawn here
  }

  wire() {
    const square = $("heatmap");
    square.tabIndex = 0;
    square.addEventListener("mousemove", (event) => this.hover(event, square));
    square.addEventListener("mouseleave", () => this.leave());
    square.addEventListener("blur", () => this.leave());
    square.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      this.explainChosen();
    });
  }

  hover(event, square) {
    if (this.listener) return;
    const box = square.getBoundingClientRect();
    const [x, y] = toData(event.clientX - box.left, event.clientY - box.top, box.width);
    const extent = page.limits.extent;
    if (Math.abs(x) > extent || Math.abs(y) > extent) return;
    this.chosen = nearestTraining(x, y);
    this.active = true;
    this.request({ type: "explain", x, y });
  }

  /** The chosen training point (else the first), with its label: values, label and loss. */
  explainChosen() {
    const point = this.chosen ?? page.data.train[0];
    if (!point) return false;
    this.active = true;
    this.request({ type: "explain", x: point[0], y: point[1], label: point[2] });
    return true;
  }

  request(message) {
    if (this.inFlight) {
      this.next = message;
      return;
    }
    this.inFlight = true;
    this.send(message);
  }

  /** The server's `explain` answer. */
  onAnswer(explained) {
    this.inFlight = false;
    shown.explained = explained;
    if (this.next) {
      const next = this.next;
      this.next = null;
      this.request(next);
    }
    if (explained.label !== null && this.listener) {
      this.listener(explained);
      return;
    }
    if (!this.active || this.listener) return;
    const layers = explained.layers.length;
    const labelled = explained.label !== null;
    this.overlay.draw(explained, { layers, deltas: new Set(), links: null, linkLayers: new Set() });
    const output = explained.output.map(short).join(", ");
    $("explain-text").textContent = labelled
      ? `The training point (${short(explained.x)}, ${short(explained.y)}) with label ${explained.label}: `
        + `output ${output}, loss ${short(explained.loss)}.`
      : `At (${short(explained.x)}, ${short(explained.y)}) each neuron shows its weighted sum z and activation a; `
        + `the output is ${output}.`;
  }

  /** A refused request or a new connection: no answer is coming. */
  forget() {
    this.inFlight = false;
    this.next = null;
  }

  leave() {
    if (this.listener) return;
    this.active = false;
    this.next = null;
    this.overlay.clear();
    $("explain-text").textContent = "";
  }
}

function nearestTraining(x, y) {
  let best = null;
  let bestDistance = CHOSEN_RADIUS ** 2;
  for (const point of page.data.train) {
    const distance = (point[0] - x) ** 2 + (point[1] - y) ** 2;
    if (distance <= bestDistance) [best, bestDistance] = [point, distance];
  }
  return best;
}
