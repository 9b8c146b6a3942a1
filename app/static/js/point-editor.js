// Drawing your own points, as a deliberate mode: with "Edit points" on, a click on
// the output square adds a point of the chosen class (or value) to the training
// set; Shift-click, or a click with the "Remove" tool (for a phone), removes the
// nearest point. Every edit can be undone and redone (buttons, Ctrl+Z, Ctrl+Shift+Z).
// With K ≥ 3 classes the class is one of K radio buttons, or keys 1…K (class 0…K−1).

import { page, datasetName, isRegression } from "./state.js";
import { toData } from "./heatmap.js";
import { EditHistory } from "./edit-history.js";
import { classCount } from "./classes.js";

const $ = (id) => document.getElementById(id);

/** Where a click on `element` lands, in data coordinates clamped to the square. */
function clickedPosition(event, element) {
  const box = element.getBoundingClientRect();
  const [x, y] = toData(event.clientX - box.left, event.clientY - box.top, box.width);
  const extent = page.limits.extent;
  const clamp = (v) => Math.max(-extent, Math.min(extent, v));
  return [clamp(x), clamp(y)];
}

/** The label a new point gets: the chosen class, or the typed value within [−1, 1]. */
function chosenLabel() {
  if (!isRegression() && classCount()) return Number($("point-classes").querySelector("input:checked")?.value ?? 0);
  if (!isRegression()) return $("point-class-negative").checked ? -1 : 1;
  const value = Number($("point-value").value);
  return Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 1;
}

function chosenClass(group) {
  return Number(group.querySelector("input:checked")?.value ?? 0);
}

/** The radio button of class `k`: its swatch, its label, its key. */
function classButton(k, checked) {
  const label = document.createElement("label");
  const input = document.createElement("input");
  input.type = "radio";
  input.name = "point-class-k";
  input.id = `point-class-${k}`;
  input.value = String(k);
  input.checked = checked;
  const swatch = document.createElement("span");
  swatch.className = `swatch class-${k}`;
  swatch.setAttribute("aria-hidden", "true");
  label.title = `Key ${k + 1}`;
  label.append(input, " ", swatch, `Class ${k}`);
  return label;
}

/** The point of `data` (train and test) nearest to (x, y), or null when there is none. */
export function nearestPoint(data, x, y) {
  let best = null;
  let bestDistance = Infinity;
  for (const point of [...data.train, ...data.test]) {
    const distance = (point[0] - x) ** 2 + (point[1] - y) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [point, distance];
  }
  return best;
}

// Inputs without text: their Ctrl+Z is no undo of their own, so it undoes an edit of the points.
const TEXTLESS_INPUTS = new Set(["checkbox", "radio", "range", "button", "submit", "file", "color"]);

/** Whether `target` has its own undo (a text being typed), which Ctrl+Z must keep. */
function hasOwnUndo(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA") return true;
  return target.tagName === "INPUT" && !TEXTLESS_INPUTS.has(target.type);
}

export class PointEditor {
  /** `send(message)` sends to the server. */
  constructor(send) {
    this.send = send;
    this.history = new EditHistory();
    this.on = false;
  }

  wire() {
    $("edit-points-button").addEventListener("click", () => this.toggle());
    $("heatmap").addEventListener("click", (event) => this.onClick(event));
    $("undo-points-button").addEventListener("click", () => this.undo());
    $("redo-points-button").addEventListener("click", () => this.redo());
    document.addEventListener("keydown", (event) => this.onKey(event));
  }

  toggle() {
    this.on = !this.on;
    $("edit-points-button").setAttribute("aria-pressed", String(this.on));
    $("point-tools").hidden = !this.on;
    $("heatmap").classList.toggle("editing", this.on);
    $("heatmap").title = this.on ? "Click: add a point · Shift-click: remove the nearest" : "";
  }

  onClick(event) {
    if (!this.on) return;
    const [x, y] = clickedPosition(event, $("heatmap"));
    if (event.shiftKey || $("point-tool-remove").checked) this.removeNearest(x, y);
    else this.edit({ type: "points", points: [[x, y, chosenLabel()]], mode: "add" });
  }

  removeNearest(x, y) {
    const point = nearestPoint(page.data, x, y);
    if (point) this.edit({ type: "points", points: [point], mode: "remove" });
  }

  onKey(event) {
    if (!(event.ctrlKey || event.metaKey)) this.onClassKey(event);
    if (!(event.ctrlKey || event.metaKey) || event.altKey || hasOwnUndo(event.target)) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) this.undo();
    else if ((key === "z" && event.shiftKey) || key === "y") this.redo();
    else return;
    event.preventDefault();
  }

  /** Keys 1…K pick the class of new points while editing (not while typing in a field). */
  onClassKey(event) {
    const classes = classCount();
    const k = Number(event.key) - 1;
    if (!this.on || !classes || event.altKey || hasOwnUndo(event.target) || !Number.isInteger(k)) return;
    const input = $(`point-class-${k}`);
    if (k < 0 || k >= classes || !input) return;
    input.checked = true;
    event.preventDefault();
  }

  /** With K classes, one radio button per class (rebuilt when K changes; the choice kept if it fits). */
  updateClasses() {
    const classes = classCount();
    const group = $("point-classes");
    $("point-class-control").hidden = isRegression() || classes > 0;
    group.hidden = isRegression() || classes === 0;
    if (Number(group.dataset.classes ?? 0) === classes) return;
    const chosen = Math.min(chosenClass(group), Math.max(classes - 1, 0));
    group.dataset.classes = String(classes);
    group.replaceChildren(...Array.from({ length: classes }, (_, k) => classButton(k, k === chosen)));
  }

  /** Send an edit of the user's points, remembering the points before it for undo. */
  edit(message) {
    const before = this.snapshot();
    if (this.send(message)) this.history.beforeEdit(page.datasetKey, before); // not sent: no step
    this.updateButtons();
  }

  snapshot() {
    return { name: datasetName(), train: page.data.train, test: page.data.test };
  }

  /** The server's `data`: the result of an edit, or of anything else (which is no step of the history). */
  onData() {
    this.history.afterData(page.datasetKey, this.snapshot());
    this.updateButtons();
  }

  /** The server refused an edit (`bad_points`, `invalid`, `too_large`): it made no step. */
  onRefused() {
    this.history.refused(page.datasetKey);
    this.updateButtons();
  }

  undo() {
    this.restore(this.history.undo(page.datasetKey));
  }

  redo() {
    this.restore(this.history.redo(page.datasetKey));
  }

  /** Go back to `state`: your points exactly as they were, or the generated dataset they came from. */
  restore(state) {
    if (!state) return;
    if (page.limits.custom_datasets.includes(state.name)) {
      this.send({ type: "points", points: state.train, test: state.test, mode: "replace" });
    } else {
      this.send({ type: "set", changes: { [page.datasetKey]: state.name } });
    }
    this.updateButtons();
  }

  updateButtons() {
    $("undo-points-button").disabled = !this.history.canUndo(page.datasetKey);
    $("redo-points-button").disabled = !this.history.canRedo(page.datasetKey);
  }
}
