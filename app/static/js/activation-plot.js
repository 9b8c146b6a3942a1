// The small plot beside the activation control: the chosen activation f(z) and
// its derivative f'(z), as backpropagation uses it. Both curves are the
// engine's own samples (GET /settings.json's `activations`, from
// nn_core/activations.py): this file draws them and computes nothing.

import { fitCanvas } from "./canvas.js";

const VALUE_COLOUR = "#333";
const DERIVATIVE_COLOUR = "#f59322";

/** A canvas placed in the activation control's box (`control`), labelled for screen readers. */
export function addActivationPlot(control) {
  const canvas = document.createElement("canvas");
  canvas.id = "activation-plot";
  canvas.className = "activation-plot";
  canvas.setAttribute("role", "img");
  control.append(canvas);
  return canvas;
}

/** Draw activation `name` of `table` ({z, curves: {name: {value, derivative}}}) on `canvas`. */
export function drawActivationPlot(canvas, table, name) {
  const curve = table?.curves?.[name];
  if (!curve || canvas.dataset.activation === name) return;
  canvas.dataset.activation = name;
  canvas.setAttribute("aria-label", `Plot of the ${name} activation (dark) and its derivative (orange)`);
  canvas.title = `${name}: f(z) (dark) and f′(z) (orange), z from ${table.z[0]} to ${table.z.at(-1)}`;
  const { context, width, height } = fitCanvas(canvas, 80, 40);
  context.clearRect(0, 0, width, height);
  const all = [...curve.value, ...curve.derivative, 0];
  const low = Math.min(...all), high = Math.max(...all);
  const first = table.z[0], last = table.z.at(-1);
  const x = (z) => 1 + ((z - first) / (last - first)) * (width - 2);
  const y = (v) => height - 2 - ((v - low) / Math.max(1e-9, high - low)) * (height - 4);
  context.strokeStyle = "#ccc"; // the axes through 0
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(0, y(0));
  context.lineTo(width, y(0));
  context.moveTo(x(0), 0);
  context.lineTo(x(0), height);
  context.stroke();
  curveLine(context, table.z, curve.derivative, x, y, DERIVATIVE_COLOUR);
  curveLine(context, table.z, curve.value, x, y, VALUE_COLOUR);
}

function curveLine(context, zs, values, x, y, colour) {
  context.beginPath();
  context.strokeStyle = colour;
  context.lineWidth = 1.5;
  zs.forEach((z, i) => (i === 0 ? context.moveTo(x(z), y(values[i])) : context.lineTo(x(z), y(values[i]))));
  context.stroke();
}
