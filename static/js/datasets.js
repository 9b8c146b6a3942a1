// The dataset picker: one small square per dataset of the current problem type.
// A square shows the real points once the server has sent that dataset (they
// are remembered per name); before that, a drawn icon of the dataset's shape.

import { colorOf, drawPoints } from "./heatmap.js";
import { choiceText } from "./controls.js";

const SIDE = 40; // CSS px
const ICON_CELLS = 20;
const TAU = 2 * Math.PI;

function nearest(x, y, curve) {
  return Math.min(...curve.map(([cx, cy]) => Math.hypot(x - cx, y - cy)));
}

const MOON = Array.from({ length: 24 }, (_, i) => (i / 23) * Math.PI);
const UPPER_MOON = MOON.map((t) => [(Math.cos(t) - 0.5) * 3.5, (Math.sin(t) - 0.25) * 3.5]);
const LOWER_MOON = UPPER_MOON.map(([x, y]) => [-x, -y]);

// Each icon maps a point of [−6, 6]² to a value in [−1, 1]: the dataset's shape.
const ICONS = {
  circle: (x, y) => (Math.hypot(x, y) < 2.5 ? 1 : Math.hypot(x, y) < 5 ? -1 : 0),
  xor: (x, y) => (Math.abs(x) > 5.3 || Math.abs(y) > 5.3 ? 0 : Math.sign(x * y)),
  gauss: (x, y) => (Math.hypot(x - 2, y - 2) < 2 ? 1 : Math.hypot(x + 2, y + 2) < 2 ? -1 : 0),
  spiral: (x, y) => {
    const r = Math.hypot(x, y);
    return r > 5 ? 0 : Math.cos(Math.atan2(x, y) - (1.75 * TAU * r) / 5) > 0 ? 1 : -1;
  },
  moons: (x, y) => (nearest(x, y, UPPER_MOON) < 0.8 ? 1 : nearest(x, y, LOWER_MOON) < 0.8 ? -1 : 0),
  checkerboard: (x, y) => (Math.abs(x) > 5 || Math.abs(y) > 5 ? 0 : (Math.floor(x / 2.5) + Math.floor(y / 2.5)) % 2 === 0 ? 1 : -1),
  function: (x, y) => (Math.abs(x) > 5 || Math.abs(y) > 5 ? 0 : y > Math.sin(x) ? 1 : -1),
  "reg-plane": (x, y) => (x + y) / 10,
  "reg-gauss": (x, y) => {
    const centres = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
    return centres.reduce((best, [cx, cy, sign]) => {
      const value = sign * (1 - Math.min(Math.hypot(x - cx, y - cy) / 2, 1));
      return Math.abs(value) > Math.abs(best) ? value : best;
    }, 0);
  },
};

function drawIcon(canvas, name) {
  const context = canvas.getContext("2d");
  const cell = canvas.width / ICON_CELLS;
  const shape = ICONS[name] || (() => 0);
  for (let i = 0; i < ICON_CELLS; i++) {
    for (let j = 0; j < ICON_CELLS; j++) {
      const x = ((i + 0.5) / ICON_CELLS) * 12 - 6;
      const y = 6 - ((j + 0.5) / ICON_CELLS) * 12;
      context.fillStyle = colorOf(shape(x, y));
      context.fillRect(i * cell, j * cell, Math.ceil(cell), Math.ceil(cell));
    }
  }
}

export class DatasetPicker {
  /** `onPick(settingName, datasetName)` sends the choice. */
  constructor(container, settings, onPick) {
    this.container = container;
    this.onPick = onPick;
    this.rows = settings.filter((row) => row.name === "dataset" || row.name === "regDataset");
    this.seen = new Map(); // dataset name → points the server sent for it
    this.buttons = new Map();
    this.setting = null;
  }

  /** Show the datasets of the config's problem type, marking the one in use. */
  update(config) {
    const setting = config.problem === "regression" ? "regDataset" : "dataset";
    if (setting !== this.setting) this.build(setting);
    for (const [name, button] of this.buttons) {
      const selected = name === config[setting];
      button.classList.toggle("selected", selected);
      button.setAttribute("aria-checked", String(selected));
    }
  }

  build(setting) {
    this.setting = setting;
    this.container.replaceChildren();
    this.buttons.clear();
    this.container.dataset.setting = setting;
    const row = this.rows.find((r) => r.name === setting);
    if (!row) return;
    for (const name of row.choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dataset";
      button.setAttribute("role", "radio");
      button.setAttribute("aria-label", `Dataset: ${choiceText(name)}`);
      button.title = choiceText(name);
      button.dataset.dataset = name;
      if (!row.classic_choices.includes(name)) button.classList.add("extra");
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = SIDE * (window.devicePixelRatio || 1);
      button.append(canvas);
      button.addEventListener("click", () => this.onPick({ [setting]: name }));
      this.container.append(button);
      this.buttons.set(name, button);
      this.draw(name);
    }
  }

  /** Remember the points of the dataset in use and redraw its square. */
  remember(name, data) {
    const points = [...data.train, ...data.test];
    if (points.length) this.seen.set(name, points);
    else this.seen.delete(name);
    this.draw(name);
  }

  draw(name) {
    const button = this.buttons.get(name);
    if (!button) return;
    const canvas = button.querySelector("canvas");
    const points = this.seen.get(name);
    if (!points) return drawIcon(canvas, name);
    const context = canvas.getContext("2d");
    context.fillStyle = colorOf(0);
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.save();
    const scale = canvas.width / 100;
    context.scale(scale, scale);
    drawPoints(context, points.slice(0, 400), 100, "transparent");
    context.restore();
  }
}
