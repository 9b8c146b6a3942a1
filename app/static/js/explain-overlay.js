// The engine's numbers for one example, drawn on the network diagram: each neuron's
// weighted sum z and activation a (and in backpropagation its δ = dE/dz) next to it,
// the example marked on every neuron's map, and each link's gradient dE/dw (or the
// update it gets) as the link's colour and width, its exact value on hover. Nothing
// here computes: every number is the server's `explain` answer.

import { colorOf, toPixel } from "./heatmap.js";
import { page, neuronIndex } from "./state.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE = 30; // px, the diagram's thumbnail size
const MAX_LINK_WIDTH = 10;

/** A number short enough to sit beside a neuron. */
export function short(value) {
  if (value === null || value === undefined) return "–";
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(2)
    : value.toFixed(3);
}

function nodeOf(diagram, layer, node) {
  return diagram.canvases[neuronIndex(layer, node)]?.parentElement ?? null;
}

function tag(parent, className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  parent.append(element);
  return element;
}

export class ExplainOverlay {
  constructor(diagram) {
    this.diagram = diagram;
    this.added = []; // elements to remove when leaving
    this.restyled = []; // links whose colour and width the overlay set
    this.titled = []; // biases given a title
  }

  /** Draw `explained` up to what `show` asks: {layers: weight layers with values, deltas: weight
   * layers with δ, links: "gradient" | "update" | null}. */
  draw(explained, show) {
    this.clear();
    this.mark(explained.x, explained.y);
    explained.layers.forEach((layer, l) => {
      if (l >= show.layers) return;
      const output = l === explained.layers.length - 1;
      layer.z.forEach((z, j) => { // each neuron its own values, the K output neurons too
        const element = nodeOf(this.diagram, l + 1, j);
        if (!element) return;
        const lines = [`z ${short(z)} a ${short(layer.a[j])}`];
        if (show.deltas.has(l)) lines.push(`δ ${short(layer.delta[j])}`);
        this.added.push(tag(element, output ? "explain-value explain-output" : "explain-value", lines.join("\n")));
      });
    });
    if (show.links) {
      this.drawLinks(explained, show);
      this.titleBiases(explained, show);
    }
  }

  // The example on every map: a dot where (x, y) lies on the neuron's square.
  mark(x, y) {
    const [px, py] = toPixel(x, y, NODE);
    for (const canvas of this.diagram.canvases) {
      if (!canvas) continue;
      const dot = tag(canvas.parentElement, "explain-marker", "");
      dot.style.left = `${px - 3}px`;
      dot.style.top = `${py - 3}px`;
      this.added.push(dot);
    }
  }

  drawLinks(explained, show) {
    const value = (link) => {
      const layer = explained.layers[link.layer];
      if (show.links === "update") return layer.new_weights[link.node][link.source] - page.weights[link.layer][link.node][link.source];
      return layer.weight_grad[link.node][link.source];
    };
    const shown = this.diagram.links.filter((link) => show.linkLayers.has(link.layer));
    const largest = Math.max(1e-300, ...shown.map((link) => Math.abs(value(link))));
    for (const link of shown) {
      const v = value(link);
      link.path.setAttribute("stroke", colorOf(v / largest));
      link.path.setAttribute("stroke-width", (1 + (Math.abs(v) / largest) * (MAX_LINK_WIDTH - 1)).toFixed(1));
      link.colour = link.width = null; // the next frame redraws the weight
      const layer = explained.layers[link.layer];
      const title = document.createElementNS(SVG, "title");
      title.textContent = show.links === "update"
        ? `weight ${page.weights[link.layer][link.node][link.source]} → ${layer.new_weights[link.node][link.source]}`
        : `dE/dw = ${layer.weight_grad[link.node][link.source]}`;
      link.hit.append(title);
      link.path.classList.add("explained");
      this.added.push(title);
      this.restyled.push(link);
    }
  }

  // Each bias of the layers shown: its gradient dE/db, or its update, on hover.
  titleBiases(explained, show) {
    for (const bias of this.diagram.biases) {
      if (!show.linkLayers.has(bias.layer)) continue;
      const layer = explained.layers[bias.layer];
      bias.element.title = show.links === "update"
        ? `bias ${page.biases[bias.layer][bias.node]} → ${layer.new_biases[bias.node]}`
        : `dE/db = ${layer.bias_grad[bias.node]}`;
      this.titled.push(bias.element);
    }
  }

  /** Back to the plain diagram. */
  clear() {
    for (const element of this.titled) element.removeAttribute("title");
    this.titled = [];
    for (const element of this.added) element.remove();
    for (const link of this.restyled) link.path.classList.remove("explained");
    const restyled = this.restyled.length > 0;
    this.added = [];
    this.restyled = [];
    if (restyled) this.diagram.update();
  }
}
