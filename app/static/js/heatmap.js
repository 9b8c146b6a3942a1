// The one colour scale of the page (orange −1, grey 0, blue +1 in 30 shades, as
// TensorFlow Playground) and the drawing of grids and points with it.
// Grids arrive as bytes q standing for q / 127.5 − 1, so a 256-entry lookup
// table turns a whole grid into pixels without any per-pixel maths.

import { page } from "./state.js";

const SHADES = 30;
// Maps are the scale's colour at alpha 160 of 255 over the page's white (the
// original's heatmap), so they look pastel and the data points stay visible.
export const MAP_ALPHA = 160;
// Points: the label's colour at 0.9, a white ring (training) or a black one (test).
const POINT_RADIUS = 3;
const POINT_FILL_OPACITY = 0.9;
export const TRAIN_OUTLINE = "rgba(255, 255, 255, 0.8)";
export const TEST_OUTLINE = "rgba(0, 0, 0, 0.6)";
const MARK_COLOUR = "#111"; // the ring around the points of a selected confusion cell

// The three stops are defined once, as --negative, --neutral and --positive on
// :root in playground.css (the page's other orange, grey and blue use them too).
export function stopColour(name) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  if (!value) throw new Error(`playground.css defines no ${name}`);
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = value; // a canvas spells any opaque CSS colour as #rrggbb
  return [1, 3, 5].map((at) => parseInt(probe.fillStyle.slice(at, at + 2), 16));
}

function mix(a, b, t) {
  return a.map((channel, i) => Math.round(channel + (b[i] - channel) * t));
}

// The original samples its 3-stop scale at 0, 1/30, …, 1 (31 colours) and
// quantizes [−1, 1] onto them; we do the same so the shades match.
function buildPalette({ negative, neutral, positive }) {
  return Array.from({ length: SHADES + 1 }, (_, i) => {
    const t = i / SHADES;
    return t <= 0.5 ? mix(negative, neutral, t / 0.5) : mix(neutral, positive, (t - 0.5) / 0.5);
  });
}

function shadeOf(palette, value) {
  const v = Math.max(-1, Math.min(1, value));
  const index = Math.floor(((v + 1) / 2) * palette.length);
  return palette[Math.min(palette.length - 1, index)];
}

export function byteToValue(q) {
  return q / 127.5 - 1;
}

// Packed RGBA words (little-endian byte order of ImageData) for every byte value.
function buildTable(stops, palette, discretize) {
  const table = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    const value = byteToValue(q);
    const [r, g, b] = discretize ? (value >= 0 ? stops.positive : stops.negative) : shadeOf(palette, value);
    table[q] = ((MAP_ALPHA << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  return table;
}

// Built on first use, not at import: by then the stylesheet surely applies.
let scale = null;

function colourScale() {
  if (scale) return scale;
  const stops = { negative: stopColour("--negative"), neutral: stopColour("--neutral"), positive: stopColour("--positive") };
  const palette = buildPalette(stops);
  scale = { palette, smooth: buildTable(stops, palette, false), discrete: buildTable(stops, palette, true) };
  return scale;
}

/** CSS colour of a value in [−1, 1] (weights, biases, labels). */
export function colorOf(value) {
  const [r, g, b] = shadeOf(colourScale().palette, value);
  return `rgb(${r}, ${g}, ${b})`;
}

/** The colour of a value as maps draw it (translucent over white). */
function mapColourOf(value) {
  const [r, g, b] = shadeOf(colourScale().palette, value);
  return `rgba(${r}, ${g}, ${b}, ${MAP_ALPHA / 255})`;
}

/**
 * Draw a size×size byte grid into a canvas of the same pixel size (CSS scales it).
 * Reuses the canvas's ImageData between frames.
 */
export function drawGrid(canvas, bytes, size, discretize = false, table = null) {
  const { context, image, pixels } = gridImage(canvas, size);
  const colours = table ?? (discretize ? colourScale().discrete : colourScale().smooth);
  const count = size * size;
  for (let i = 0; i < count; i++) pixels[i] = colours[bytes[i]];
  context.putImageData(image, 0, 0);
}

/** The canvas at `size`×`size` pixels and its reused ImageData, as packed RGBA words. */
export function gridImage(canvas, size) {
  if (canvas.width !== size || canvas.height !== size) {
    canvas.width = size;
    canvas.height = size;
    canvas.imageCache = null;
  }
  const context = canvas.getContext("2d");
  if (!canvas.imageCache) canvas.imageCache = context.createImageData(size, size);
  const image = canvas.imageCache;
  return { context, image, pixels: new Uint32Array(image.data.buffer) };
}

/** Clear a grid canvas to the neutral colour (a neuron without a map yet). */
export function clearGrid(canvas) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = mapColourOf(0);
  context.fillRect(0, 0, canvas.width, canvas.height);
}

// Grids and points cover x, y ∈ [−extent, extent] (limits.extent of /settings.json).

/** Canvas pixel position of a data point on a square of `side` pixels. */
export function toPixel(x, y, side) {
  const extent = page.limits.extent;
  return [((x + extent) / (2 * extent)) * side, ((extent - y) / (2 * extent)) * side];
}

/** Data coordinates of a pixel position on a square of `side` pixels. */
export function toData(px, py, side) {
  const extent = page.limits.extent;
  return [(px / side) * 2 * extent - extent, extent - (py / side) * 2 * extent];
}

function inside(x, y) {
  const extent = page.limits.extent;
  return Math.abs(x) <= extent && Math.abs(y) <= extent;
}

/**
 * Draw points as the original does: filled with their label's colour (`colourOfLabel`),
 * TRAIN_OUTLINE or TEST_OUTLINE around them (or none); points outside the
 * square are not drawn.
 */
export function drawPoints(context, points, side, outline = null, colourOfLabel = colorOf) {
  context.lineWidth = 1;
  context.strokeStyle = outline ?? "transparent";
  for (const [x, y, label] of points) {
    if (!inside(x, y)) continue;
    const [px, py] = toPixel(x, y, side);
    context.beginPath();
    context.arc(px, py, POINT_RADIUS, 0, 2 * Math.PI);
    context.fillStyle = colourOfLabel(label);
    context.globalAlpha = POINT_FILL_OPACITY;
    context.fill();
    context.globalAlpha = 1;
    if (outline) context.stroke();
  }
}

/** A ring around each point (the points of the confusion cell the user selected). */
export function drawRings(context, points, side) {
  context.lineWidth = 2;
  context.strokeStyle = MARK_COLOUR;
  for (const [x, y] of points) {
    if (!inside(x, y)) continue;
    const [px, py] = toPixel(x, y, side);
    context.beginPath();
    context.arc(px, py, POINT_RADIUS + 2.5, 0, 2 * Math.PI);
    context.stroke();
  }
}
