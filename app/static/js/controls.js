// Builds the page's controls from the settings table (GET /settings.json):
// each row becomes a select, slider, number field or checkbox in the slot of
// its group, and every change is reported as {name: value}. Adding a setting
// to nn_core/settings.py adds its control here without touching this file.

import { page, choiceText } from "./state.js";

// TensorFlow Playground's element ids, kept so its users (and their scripts) find them.
const ORIGINAL_IDS = {
  activation: "activations",
  regularization: "regularizations",
  regularizationRate: "regularRate",
  showTestData: "show-test-data",
};

// The original's left-to-right order in the top bar and data column.
const ORIGINAL_ORDER = ["learningRate", "activation", "regularization", "regularizationRate", "problem",
  "percTrainData", "noise", "batchSize"];

// Settings with a dedicated widget elsewhere (dataset thumbnails, feature neurons, layer buttons).
const SPECIAL_WIDGETS = new Set(["dataset", "regDataset", "networkShape"]);

// Where each group's controls go; "features" are neurons drawn by network.js.
const SLOT_OF_GROUP = { top: "top", data: "data", output: "output", engine: "engine", network: "engine",
  training: "training" };

export function controlId(name) {
  return ORIGINAL_IDS[name] || name;
}

function orderOf(row) {
  const index = ORIGINAL_ORDER.indexOf(row.name);
  return index === -1 ? ORIGINAL_ORDER.length : index;
}

/** Rows that get a generic control, grouped by slot name, in display order. */
function rowsBySlot(settings) {
  const slots = {};
  const rows = settings.filter((row) => !SPECIAL_WIDGETS.has(row.name) && SLOT_OF_GROUP[row.group]);
  rows.sort((a, b) => orderOf(a) - orderOf(b));
  for (const row of rows) (slots[SLOT_OF_GROUP[row.group]] ||= []).push(row);
  return slots;
}

function option(value, text) {
  const element = document.createElement("option");
  element.value = String(value);
  element.textContent = text;
  return element;
}

function selectFor(row) {
  const select = document.createElement("select");
  if (row.kind === "choice") {
    // The original's choices first; our additions in their own group, so they are found, not in the way.
    const classic = row.choices.filter((choice) => row.classic_choices.includes(choice));
    const extra = row.choices.filter((choice) => !row.classic_choices.includes(choice));
    for (const choice of classic) select.append(option(choice, choiceText(choice, row)));
    if (extra.length && classic.length) {
      const group = document.createElement("optgroup");
      group.label = "More in Neural Playground";
      for (const choice of extra) group.append(option(choice, choiceText(choice, row)));
      select.append(group);
    } else {
      for (const choice of extra) select.append(option(choice, choiceText(choice, row)));
    }
  } else {
    for (const value of row.options) select.append(option(value, String(value)));
  }
  return select;
}

function inputFor(row) {
  if (row.kind === "choice" || row.options.length) return selectFor(row);
  const input = document.createElement("input");
  if (row.kind === "bool") {
    input.type = "checkbox";
  } else if (row.kind === "number" && row.step !== null) {
    input.type = "range";
    Object.assign(input, { min: row.lo, max: row.hi, step: row.step });
  } else if (row.kind === "number") {
    input.type = "number";
    Object.assign(input, { min: row.lo ?? "", max: row.hi ?? "", step: "any" });
  } else {
    input.type = "text";
    input.maxLength = page.limits.max_text_length; // as the server checks it
  }
  return input;
}

function readValue(row, input) {
  if (row.kind === "bool") return input.checked;
  if (row.kind === "number") return Number(input.value);
  return input.value;
}

// A slider's label carries its value, as in the original ("Noise:  10").
function sliderText(row, value) {
  return row.name === "percTrainData" ? `${row.label}: ${value}%` : `${row.label}: ${value}`;
}

function buildControl(row, onChange) {
  const wrapper = document.createElement("div");
  wrapper.className = `control control-${row.kind} ui-${row.name}`; // ui-NAME: what NAME_hide=true hides
  wrapper.dataset.setting = row.name;
  const input = inputFor(row);
  input.id = controlId(row.name);
  input.name = row.name;
  const label = document.createElement("label");
  label.htmlFor = input.id;
  label.textContent = row.label;
  if (input.type === "checkbox") wrapper.append(input, label);
  else wrapper.append(label, input);
  const event = input.type === "text" || input.type === "number" ? "change" : "input";
  input.addEventListener(event, () => {
    if (input.type === "range") label.textContent = sliderText(row, input.value);
    if (input.type === "number" && !input.checkValidity()) return;
    if (input.type !== "range") onChange({ [row.name]: readValue(row, input) });
  });
  // Sliders send once the user lets go, not at every pixel of the drag.
  if (input.type === "range") input.addEventListener("change", () => onChange({ [row.name]: readValue(row, input) }));
  return { row, wrapper, input, label };
}

// How long a control keeps the user's value while the server has not yet
// confirmed it: a `state` sent before the change arrived must not undo it.
const PENDING_MS = 2000;

export class Controls {
  /** `slots`: {slotName: container element}; `onChange(changes)` sends a `set`. */
  constructor(settings, slots, onChange) {
    this.controls = [];
    this.pending = new Map(); // setting name → {value, at}: sent, not yet confirmed
    this.lastConfig = null;
    const send = (changes) => {
      for (const [name, value] of Object.entries(changes)) this.pending.set(name, { value, at: performance.now() });
      onChange(changes);
      // Unconfirmed after PENDING_MS (no `state` came): show what the server has.
      setTimeout(() => this.lastConfig && this.update(this.lastConfig), PENDING_MS + 50);
    };
    const grouped = rowsBySlot(settings);
    for (const [slot, rows] of Object.entries(grouped)) {
      if (!slots[slot]) continue;
      for (const row of rows) {
        const control = buildControl(row, send);
        slots[slot].append(control.wrapper);
        this.controls.push(control);
      }
    }
  }

  /** True while the user's latest change of `name` is in flight and `value` is older news. */
  awaitingConfirmation(name, value) {
    const pending = this.pending.get(name);
    if (!pending) return false;
    if (String(pending.value) === String(value) || performance.now() - pending.at > PENDING_MS) {
      this.pending.delete(name);
      return false;
    }
    return true;
  }

  /** Drop every unconfirmed change and show the server's values (after an `error`). */
  forgetPending() {
    this.pending.clear();
    if (this.lastConfig) this.update(this.lastConfig);
  }

  /** Show the configuration's values, except in the text field the user is typing into. */
  update(config) {
    this.lastConfig = config;
    for (const { row, input, label, wrapper } of this.controls) {
      wrapper.classList.toggle("inapplicable", !dependsMet(row, config));
      const value = config[row.name];
      // The field being typed into, or the slider being dragged, is the user's.
      const editing = ["text", "number", "range"].includes(input.type);
      if (editing && document.activeElement === input) continue;
      if (this.awaitingConfirmation(row.name, value)) continue;
      if (row.kind === "bool") {
        input.checked = Boolean(value);
      } else if (input.tagName === "SELECT") {
        selectValue(input, value ?? "");
      } else {
        input.value = value ?? "";
      }
      if (input.type === "range") label.textContent = sliderText(row, value);
    }
  }
}


// A setting that only matters with another's value (momentum with the
// momentum optimizer) is shown only then; `depends` comes from the table.
function dependsMet(row, config) {
  return Object.entries(row.depends ?? {}).every(([name, values]) => values.includes(config[name]));
}

// A link may carry a value that is not in the option list (learningRate=0.05):
// show it as an extra option rather than silently showing another value.
function selectValue(select, value) {
  const text = String(value);
  if (![...select.options].some((item) => item.value === text)) select.append(option(text, text));
  select.value = text;
}
