// K classes (K ≥ 3): each class's colour (--class-k of playground.css, the
// Okabe–Ito palette, distinguishable with colour-vision deficiencies), the
// output map that shows the most likely class's colour with its probability as
// lightness, and the label colours of points. With two classes the page keeps
// the original's orange–blue scale; K comes from the state's output layer.
// Probabilities arrive as bytes q standing for p = q / 255 (docs/protocol.md).

import { colorOf, gridImage, MAP_ALPHA, stopColour } from "./heatmap.js";
import { page } from "./state.js";

/** The number of classes the output layer predicts: 0 for one output (two classes or a value). */
export function classCount() {
  const outputs = page.layerSizes.at(-1) ?? 1;
  return outputs > 1 ? outputs : 0;
}

const rgb = new Map(); // class → [r, g, b], read once from the stylesheet

function classRgb(k) {
  if (!rgb.has(k)) rgb.set(k, stopColour(`--class-${k}`));
  return rgb.get(k);
}

/** CSS colour of class `k`. */
export function classColour(k) {
  const [r, g, b] = classRgb(k);
  return `rgb(${r}, ${g}, ${b})`;
}

/** A point's colour: its class's with K classes, else the orange–blue scale's (also for a
 * two-class dataset preview's ±1 while K ≥ 3). */
export function labelColour(label) {
  return Number.isInteger(label) && label >= 0 && label < classCount() ? classColour(label) : colorOf(label);
}

const tables = new Map(); // "k/discrete" → 256 packed RGBA words

/** Byte q (p = q / 255) → class k's colour with lightness by p (discrete: the colour itself). */
export function classTable(k, discrete = false) {
  const key = `${k}/${discrete}`;
  if (tables.has(key)) return tables.get(key);
  const [r, g, b] = classRgb(k);
  const table = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    const alpha = discrete ? MAP_ALPHA : Math.round((MAP_ALPHA * q) / 255);
    table[q] = ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  tables.set(key, table);
  return table;
}

/**
 * The K-class output map: at each pixel the most likely class's colour, its
 * lightness by that probability; `discretize` shows the class alone.
 */
export function drawClassGrid(canvas, outputs, size, discretize) {
  const { context, image, pixels } = gridImage(canvas, size);
  const colours = outputs.map((_, k) => classTable(k, discretize));
  const count = size * size;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k < outputs.length; k++) if (outputs[k][i] > outputs[best][i]) best = k;
    pixels[i] = colours[best][outputs[best][i]];
  }
  context.putImageData(image, 0, 0);
}

/** The legend's classes: a swatch and the label each (the CSV's 0…K−1; key 1…K picks one). */
export function drawClassLegend(container) {
  const classes = classCount();
  container.hidden = classes === 0;
  const entries = Array.from({ length: classes }, (_, k) => {
    const entry = document.createElement("span");
    const swatch = document.createElement("span");
    swatch.className = `swatch class-${k}`;
    swatch.setAttribute("aria-hidden", "true");
    entry.append(swatch, `Class ${k}`);
    return entry;
  });
  container.replaceChildren(...entries);
}
