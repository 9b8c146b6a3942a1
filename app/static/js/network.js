// The network diagram: input features, hidden neurons and the output neuron as
// live heatmap thumbnails, links as SVG curves whose colour and width follow
// their weight, biases as small squares. The structure is rebuilt only when the
// network's shape changes; frames just restyle what is there.

import { colorOf, drawGrid, clearGrid } from "./heatmap.js";
import { classCount, classTable } from "./classes.js";
import { page, neuronIndex } from "./state.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE = 30; // px, the original's thumbnail size
const LEFT = 70; // room for the feature names left of the inputs
const TOP = 44; // room for each hidden layer's +/− neuron buttons
const MAX_LINK_WIDTH = 10;

function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

function rowStep(tallest) {
  return tallest > 10 ? 36 : 46;
}

// The original's link width scale: |w| in [0, 5] → [1, 10] px, clamped.
const WIDEST_WEIGHT = 5;

function linkWidth(weight) {
  return 1 + (Math.min(Math.abs(weight), WIDEST_WEIGHT) / WIDEST_WEIGHT) * (MAX_LINK_WIDTH - 1);
}

// With "Show gradients", a link's value is its gradient over the network's largest |gradient|:
// the steepest link is drawn widest and fullest, and a vanishing layer's links go thin and pale.
function gradientValues(gradients) {
  let largest = 0;
  for (const value of gradients.flat(2)) if (Number.isFinite(value)) largest = Math.max(largest, Math.abs(value));
  return (layer, node, source) => {
    const value = gradients[layer]?.[node]?.[source];
    if (value === undefined) return undefined;
    return largest > 0 && value !== null ? value / largest : 0;
  };
}

export class NetworkDiagram {
  /**
   * `container`: the #network element; `hovercard`: the Hovercard of links and biases.
   * `actions`: {toggleFeature(name, on), resizeLayer(layer, size), focus(index | null)}
   * — the page decides what they do. `view`: where it reads the network (the page state, or
   * Compare mode's side B: compare.js); `idPrefix` keeps a second diagram's button ids apart;
   * `editable`: links and biases take the keyboard to be edited (B's are only shown).
   */
  constructor(container, hovercard, actions, { view = page, idPrefix = "", editable = true } = {}) {
    this.container = container;
    this.view = view;
    this.idPrefix = idPrefix;
    this.editable = editable;
    this.hovercard = hovercard;
    this.actions = actions;
    this.links = []; // {path, hit, layer, node, source}
    this.biases = []; // {element, layer, node}
    this.canvases = []; // per thumbnail index
    this.layerButtons = []; // per hidden layer: its + and − buttons
  }

  /** Feature rows of the settings table, in input-layer order: every possible input, enabled or
   * not, except those a classroom link hides (`x_hide=true`): they are not there at all. */
  featureRows() {
    const hidden = this.view.config?.hidden ?? [];
    return this.view.settings
      .filter((row) => row.group === "features" && row.feature_index !== undefined && !hidden.includes(row.name))
      .sort((a, b) => a.feature_index - b.feature_index);
  }

  geometry() {
    const features = this.featureRows();
    const hidden = this.view.layerSizes.slice(1, -1);
    const tallest = Math.max(features.length, ...hidden, this.view.layerSizes.at(-1) ?? 1);
    const step = rowStep(tallest);
    const columns = hidden.length + 2;
    const width = Math.max(this.container.clientWidth, LEFT + columns * (NODE + 40));
    const gap = (width - LEFT - NODE - 10) / (columns - 1);
    const x = (column) => LEFT + column * gap;
    const y = (row) => TOP + row * step;
    return { features, hidden, step, width, height: TOP + tallest * step, x, y };
  }

  /** Positions of every node: [layer][node] → {x, y}; layer 0 = inputs. */
  positions(g) {
    const inputs = this.view.features.map((name) => ({ x: g.x(0), y: g.y(g.features.findIndex((r) => r.name === name)) }));
    const hidden = g.hidden.map((size, layer) => Array.from({ length: size }, (_, node) => ({ x: g.x(layer + 1), y: g.y(node) })));
    const outputs = this.view.layerSizes.at(-1) ?? 1;
    // One output sits by the middle of the last layer, as in the original; K outputs in a column.
    const outputRow = outputs > 1 ? 0 : Math.max(0, Math.floor((g.hidden.at(-1) ?? this.view.features.length) / 2) - 0.5);
    const output = Array.from({ length: outputs }, (_, k) => ({ x: g.x(g.hidden.length + 1), y: g.y(outputRow + k) }));
    return [inputs, ...hidden, output];
  }

  // What the diagram's structure depends on; anything else is a restyle.
  structureKey() {
    return JSON.stringify([this.view.layerSizes, this.view.features, this.view.config?.hidden, this.container.clientWidth,
      Boolean(this.view.featureMaps)]);
  }

  needsRebuild() {
    return this.builtKey !== this.structureKey();
  }

  forceRebuild() {
    this.builtKey = null;
  }

  rebuild() {
    this.builtKey = this.structureKey();
    this.hovercard.hide();
    this.container.replaceChildren();
    this.links = [];
    this.biases = [];
    this.canvases = [];
    this.layerButtons = [];
    if (!this.view.layerSizes.length) return;
    const g = this.geometry();
    const where = this.positions(g);
    this.container.style.height = `${g.height}px`;
    const layer = svg("svg", { width: g.width, height: g.height, class: "links" });
    this.container.append(layer);
    this.drawLinks(layer, where);
    this.drawNeuronButtons(g);
    this.drawFeatures(g);
    this.drawNeurons(where);
    this.update();
  }

  drawLinks(layer, where) {
    for (let l = 0; l < where.length - 1; l++) {
      where[l + 1].forEach((to, node) => {
        where[l].forEach((from, source) => {
          const x1 = from.x + NODE, y1 = from.y + NODE / 2, x2 = to.x, y2 = to.y + NODE / 2;
          const mid = (x1 + x2) / 2;
          const d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
          const path = svg("path", { d, class: "link", "aria-hidden": "true" });
          // The wide invisible twin takes the pointer and the keyboard focus.
          const name = `Weight from node ${source + 1} of layer ${l} to node ${node + 1} of layer ${l + 1}`;
          const hit = this.editable
            ? svg("path", { d, class: "link-hit", tabindex: "0", role: "button",
              "aria-label": `${name}: press Enter to change it` })
            : svg("path", { d, class: "link-hit", "aria-hidden": "true" });
          const link = { path, hit, layer: l, node, source };
          this.hovercard.attach(hit, link, "weight");
          layer.append(path, hit);
          this.links.push(link);
        });
      });
    }
  }

  // Above each hidden layer: + and − to change its number of neurons.
  drawNeuronButtons(g) {
    g.hidden.forEach((size, layer) => {
      const box = document.createElement("div");
      box.className = "neuron-buttons ui-networkShape";
      box.dataset.setting = "networkShape";
      box.style.left = `${g.x(layer + 1) + NODE / 2}px`;
      const add = this.button(`add-neuron-${layer}`, "+", `Add a neuron to hidden layer ${layer + 1}`,
        () => this.actions.resizeLayer(layer, size + 1));
      const remove = this.button(`remove-neuron-${layer}`, "−", `Remove a neuron from hidden layer ${layer + 1}`,
        () => this.actions.resizeLayer(layer, size - 1));
      const count = document.createElement("span");
      count.className = "neuron-count";
      count.textContent = size === 1 ? "1 neuron" : `${size} neurons`;
      box.append(add, remove, count);
      this.container.append(box);
      this.layerButtons.push({ add, remove, size });
    });
  }

  /** Grey out + and − at the network limits of the current mode. */
  updateLayerButtons(maxNeurons) {
    for (const { add, remove, size } of this.layerButtons) {
      add.disabled = size >= maxNeurons;
      remove.disabled = size <= 1;
    }
  }

  button(id, text, label, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = this.idPrefix + id;
    button.className = "round-button tiny";
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", onClick);
    return button;
  }

  drawFeatures(g) {
    g.features.forEach((row, index) => {
      const enabled = this.view.features.includes(row.name);
      const node = this.node(g.x(0), g.y(index), enabled ? neuronIndex(0, this.view.features.indexOf(row.name), this.view.layerSizes) : null);
      node.classList.add("feature", enabled ? "enabled" : "disabled");
      node.dataset.setting = row.name;
      const staticMap = this.view.featureMaps?.maps[row.name];
      if (!enabled && staticMap) drawGrid(node.querySelector("canvas"), staticMap, this.view.featureMaps.size);
      node.setAttribute("role", "switch");
      node.setAttribute("aria-checked", String(enabled));
      node.setAttribute("aria-label", `Input feature ${row.label}`);
      node.title = enabled ? `${row.label}: click to remove this input` : `${row.label}: click to use this input`;
      const name = document.createElement("span");
      name.className = "feature-name";
      name.textContent = row.label;
      node.append(name);
      const toggle = () => this.actions.toggleFeature(row.name, !enabled);
      node.addEventListener("click", toggle);
      node.addEventListener("keydown", (event) => {
        if (event.key === "Enter") toggle();
      });
    });
  }

  drawNeurons(where) {
    for (let l = 1; l < where.length; l++) {
      where[l].forEach((at, n) => {
        const node = this.node(at.x, at.y, neuronIndex(l, n, this.view.layerSizes));
        const output = l === where.length - 1;
        node.classList.add(output ? "output-node" : "neuron");
        const label = classCount() ? `Output neuron of class ${n}: its probability` : "Output neuron";
        node.setAttribute("aria-label", output ? label : `Neuron ${n + 1} of hidden layer ${l}`);
        this.addBias(node, l - 1, n);
      });
    }
  }

  // A neuron: a focusable box holding its thumbnail; hovering shows its map big.
  node(x, y, index) {
    const node = document.createElement("div");
    node.className = "node";
    node.tabIndex = 0;
    node.style.left = `${x}px`;
    node.style.top = `${y}px`;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    clearGrid(canvas);
    node.append(canvas);
    if (index !== null) {
      this.canvases[index] = canvas;
      const focus = () => this.actions.focus(index);
      const blur = () => this.actions.focus(null);
      node.addEventListener("mouseenter", focus);
      node.addEventListener("mouseleave", blur);
      node.addEventListener("focus", focus);
      node.addEventListener("blur", blur);
    }
    this.container.append(node);
    return node;
  }

  addBias(node, layer, index) {
    const square = document.createElement("div");
    square.className = "bias";
    if (this.editable) {
      square.tabIndex = 0;
      square.setAttribute("role", "button");
      square.setAttribute("aria-label", `Bias of this neuron: press Enter to change it`);
    }
    const bias = { element: square, layer, node: index };
    this.hovercard.attach(square, bias, "bias");
    node.append(square);
    this.biases.push(bias);
  }

  /** Restyle links and biases from the current weights (every frame). */
  update() {
    if (!this.view.weights) return;
    // The links' dashes move a third of a dash unit per epoch, toward the output, as in the
    // original (playground.css keeps them still for prefers-reduced-motion).
    this.container.style.setProperty("--dash-offset", String(-this.view.epoch / 3));
    const gradient = this.view.showGradients && this.view.gradients ? gradientValues(this.view.gradients) : null;
    this.container.classList.toggle("showing-gradients", gradient !== null);
    for (const link of this.links) {
      const weight = this.view.weights[link.layer]?.[link.node]?.[link.source];
      const shown = gradient ? gradient(link.layer, link.node, link.source) : weight;
      if (shown === undefined) continue;
      const dead = Boolean(this.view.dead?.[link.layer]?.[link.node]?.[link.source]);
      // Writing the DOM only on change keeps big networks cheap: most weights
      // move less than a shade or a tenth of a pixel per frame.
      const colour = colorOf(shown);
      const width = linkWidth(gradient ? shown * WIDEST_WEIGHT : weight).toFixed(1);
      if (colour !== link.colour) link.path.setAttribute("stroke", (link.colour = colour));
      if (width !== link.width) link.path.setAttribute("stroke-width", (link.width = width));
      if (dead !== link.dead) link.path.classList.toggle("dead", (link.dead = dead));
    }
    for (const bias of this.biases) {
      const value = this.view.biases[bias.layer]?.[bias.node];
      const colour = value === undefined ? bias.colour : colorOf(value);
      if (colour !== bias.colour) bias.element.style.backgroundColor = (bias.colour = colour);
    }
    this.hovercard.refresh();
  }

  /** Draw every neuron's thumbnail from the last grid message. */
  drawMaps(discretize) {
    const grids = this.view.grids;
    if (!grids) return;
    const classes = grids.outputs.length;
    const firstOutput = grids.thumbnails.length - classes;
    this.canvases.forEach((canvas, index) => {
      const bytes = grids.thumbnails[index];
      if (!canvas || !bytes) return;
      // K outputs: each its class's probability in its class's colour; one output: the scale, discretized or not.
      const table = classes > 1 && index >= firstOutput ? classTable(index - firstOutput) : null;
      drawGrid(canvas, bytes, grids.thumbSize, discretize && classes === 1 && index === firstOutput, table);
    });
  }
}
