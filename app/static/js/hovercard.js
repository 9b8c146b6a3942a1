// The hover card of the network diagram: pointing at (or focusing) a link or a
// bias shows its weight or bias; clicking it (or Enter) turns the card into a
// small form to type a new value, which the page sends.

import { page } from "./state.js";

const NAMES = { weight: "Weight", bias: "Bias" };

function valueOf(target, kind) {
  if (kind === "weight") return page.weights?.[target.layer]?.[target.node]?.[target.source];
  return page.biases?.[target.layer]?.[target.node];
}

export class Hovercard {
  /**
   * `element`: the #hovercard element; `container`: the diagram it is placed over;
   * `actions`: {editWeight(layer, node, source, value), editBias(layer, node, value)}.
   */
  constructor(element, container, actions) {
    this.element = element;
    this.container = container;
    this.actions = actions;
    this.form = element.querySelector("form");
    this.input = this.form.querySelector("input");
    this.shown = null; // {target, kind, editing}
    this.wireForm();
  }

  /** Let `element` show the card of `target`: a link {layer, node, source} ("weight") or a bias {layer, node}. */
  attach(element, target, kind) {
    element.addEventListener("mouseenter", (event) => this.show(element, target, kind, event));
    element.addEventListener("mouseleave", () => this.leave());
    element.addEventListener("focus", () => this.show(element, target, kind));
    element.addEventListener("blur", () => this.leave());
    element.addEventListener("click", (event) => {
      event.stopPropagation();
      this.edit(element, target, kind, event);
    });
    element.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      // Without preventDefault this Enter's keypress would submit the form it opens.
      event.preventDefault();
      event.stopPropagation();
      this.edit(element, target, kind);
    });
  }

  // The card sits just below-right of the pointer (or of the element when
  // reached by keyboard), so it never covers what is being pointed at.
  show(element, target, kind, event) {
    if (this.shown?.editing) return;
    this.shown = { target, kind, editing: false };
    this.refresh();
    const box = this.container.getBoundingClientRect();
    const rect = element.getBoundingClientRect();
    const anchor = event?.clientX ? { x: event.clientX, y: event.clientY } : { x: rect.right, y: rect.bottom };
    this.element.style.left = `${anchor.x - box.left + 12}px`;
    this.element.style.top = `${anchor.y - box.top + 12}px`;
    this.element.hidden = false;
  }

  /** Show the current value (every frame), unless the user is typing a new one. */
  refresh() {
    if (!this.shown || this.shown.editing) return;
    const { target, kind } = this.shown;
    const value = valueOf(target, kind);
    const text = this.element.querySelector(".hovercard-text");
    text.textContent = `${NAMES[kind]} is ${Number.isFinite(value) ? value.toFixed(3) : "…"}`;
  }

  leave() {
    if (this.shown && !this.shown.editing) this.hide();
  }

  hide() {
    this.shown = null;
    this.element.hidden = true;
    this.form.hidden = true;
  }

  edit(element, target, kind, event) {
    if (this.shown?.target !== target) this.show(element, target, kind, event);
    this.shown.editing = true;
    this.input.setAttribute("aria-label", `New ${kind} value`);
    const value = valueOf(target, kind);
    this.input.value = Number.isFinite(value) ? value.toFixed(3) : "0"; // 3 decimals, as shown
    this.form.hidden = false;
    this.input.focus();
    this.input.select();
  }

  submit(value) {
    if (!this.shown) return;
    const { target, kind } = this.shown;
    if (kind === "weight") this.actions.editWeight(target.layer, target.node, target.source, value);
    else this.actions.editBias(target.layer, target.node, value);
    this.hide();
  }

  wireForm() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = Number(this.input.value);
      if (Number.isFinite(value)) this.submit(value);
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.hide();
    });
    // Firefox and Safari do not focus a clicked button: keep the focus in the
    // field, or the focusout below would close the form before the click lands.
    this.form.querySelector("button[type=submit]").addEventListener("mousedown", (event) => event.preventDefault());
    // Leaving the little form (but not for its own Set button) cancels the edit.
    this.form.addEventListener("focusout", (event) => {
      if (!this.form.contains(event.relatedTarget)) this.hide();
    });
  }
}
