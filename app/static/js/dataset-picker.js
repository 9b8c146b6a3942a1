// The dataset picker: one small square per dataset of the current problem type.
// A square shows the real points once the server has sent that dataset (they
// are remembered per name); before that, the engine's preview of its shape.

import { colorOf, drawPoints } from "./heatmap.js";
import { choiceText } from "./state.js";
import { classCount, labelColour } from "./classes.js";

const SIDE = 38; // CSS px, as .dataset canvas in playground.css

/** The visible name on a square whose points are the user's. */
function caption(text) {
  const element = document.createElement("span");
  element.className = "dataset-caption";
  element.textContent = text;
  return element;
}

export class DatasetPicker {
  /** `onPick(settingName, datasetName)` sends the choice. */
  /** `customNames`: the datasets that are the user's own points (labelled, since no shape says so). */
  constructor(container, settings, onPick, customNames = []) {
    this.customNames = customNames;
    this.container = container;
    this.onPick = onPick;
    this.settings = settings;
    this.seen = new Map(); // dataset name → points the server sent for it
    this.previews = new Map(); // dataset name → the engine's preview points
    this.buttons = new Map();
    this.setting = null;
  }

  /** Show the choices of `setting` (the state's dataset key), marking the one in use. */
  update(config, setting) {
    if (setting !== this.setting) this.build(setting);
    this.followClasses();
    const multiclass = this.settings.find((r) => r.name === setting)?.multiclass;
    for (const [name, button] of this.buttons) {
      const selected = name === config[setting];
      button.classList.toggle("selected", selected);
      button.setAttribute("aria-checked", String(selected));
      // With K ≥ 3 classes only the datasets of K classes can be picked (the server refuses the others).
      button.disabled = Boolean(classCount() && multiclass && !multiclass.includes(name));
    }
  }

  /** Points remembered under another number of classes have other labels: forget them. */
  followClasses() {
    if (this.classes === classCount()) return;
    this.classes = classCount();
    this.seen.clear();
    for (const name of this.buttons.keys()) this.draw(name);
  }

  build(setting) {
    this.setting = setting;
    this.container.replaceChildren();
    this.buttons.clear();
    this.container.dataset.setting = setting;
    const row = this.settings.find((r) => r.name === setting);
    if (!row) return;
    for (const name of row.choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dataset";
      button.setAttribute("role", "radio");
      button.setAttribute("aria-label", `Dataset: ${choiceText(name, row)}`);
      button.title = choiceText(name, row);
      button.dataset.dataset = name;
      if (!row.classic_choices.includes(name)) button.classList.add("extra");
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = SIDE * (window.devicePixelRatio || 1);
      button.append(canvas);
      if (this.customNames.includes(name)) button.append(caption(choiceText(name, row)));
      button.addEventListener("click", (event) => {
        this.onPick({ [setting]: name });
        // A mouse click must not keep the focus: Space plays then, as in the original (the
        // keyboard leaves a focused button alone). Keyboard users keep theirs (detail 0).
        if (event.detail > 0) button.blur();
      });
      this.container.append(button);
      this.buttons.set(name, button);
      this.draw(name);
    }
  }

  /** The engine's previews, shown until a dataset's own points arrive. */
  setPreviews(previews) {
    for (const [name, points] of Object.entries(previews)) this.previews.set(name, points);
    for (const name of this.buttons.keys()) this.draw(name);
  }

  /** Remember the points of the dataset in use and redraw its square. */
  remember(name, data) {
    this.followClasses();
    const points = [...data.train, ...data.test];
    if (points.length) this.seen.set(name, points);
    else this.seen.delete(name);
    this.draw(name);
  }

  draw(name) {
    const button = this.buttons.get(name);
    if (!button) return;
    const canvas = button.querySelector("canvas");
    // With K classes, the preview of K classes (`name/K`) where the dataset has one.
    const preview = this.previews.get(`${name}/${classCount()}`) ?? this.previews.get(name);
    const points = this.seen.get(name) ?? preview ?? [];
    const context = canvas.getContext("2d");
    context.fillStyle = colorOf(0);
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.save();
    const scale = canvas.width / 100;
    context.scale(scale, scale);
    drawPoints(context, points.slice(0, 400), 100, null, labelColour);
    context.restore();
  }
}
