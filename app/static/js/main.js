// Wiring: loads the settings table, builds the controls, opens the socket,
// feeds server messages into the page state and redraws once per animation
// frame whatever the messages made dirty.

import { connect, loadJson, showLink } from "./host.js";
import { page, markDirty, applyState, applyFrame, applyData, applyGrids, isRegression, requestPlaying,
  datasetName } from "./state.js";
import { Controls } from "./controls.js";
import { ClassroomPanel, applyHidden, expectOpenedLink, noteState } from "./classroom.js";
import { drawAxes } from "./axes.js";
import { NetworkDiagram } from "./network.js";
import { networkEdits, networkLimits } from "./network-edits.js";
import { Hovercard } from "./hovercard.js";
import { DatasetPicker } from "./dataset-picker.js";
import { drawOutput, drawDataPoints, drawNumbers, drawChart, drawLegend } from "./output.js";
import { drawMetrics, wireConfusion } from "./metrics.js";
import { showMessage } from "./notices.js";
import { wireYourData, showLinkPointsNote } from "./your-data.js";
import { PointEditor } from "./point-editor.js";
import { wireShareExport, onGradientCheck, onExport } from "./share-export.js";
import { wireKeyboard } from "./keyboard.js";
import { ExplainHover } from "./explain.js";
import { BackpropSteps } from "./backprop-steps.js";
import { applyGradients, drawGradientChart, wireGradientToggle } from "./gradients.js";
import { addActivationPlot, drawActivationPlot } from "./activation-plot.js";
import { TimeTravel } from "./time-travel.js";
import { CompareView, onCompareState, onFrameB, onGridsB, secondRun, changeSide, configOf, editedConfig }
  from "./compare.js";

const $ = (id) => document.getElementById(id);

let connection;
let controls;
let diagram;
let picker;
let classroom;
let confusion;
let explainer; // hovering the output square: one example through the network
let backprop; // "Step through backprop"
let activationPlot;
let compareView; // Compare mode: side B and the difference map
// Each diagram's edits go to its own side (Compare mode); the controls' to the side chosen.
const sideA = () => (changeSide() ? "a" : null);
const editsA = networkEdits(send, scheduleRender, { config: () => configOf("a"), side: sideA });
const editsB = networkEdits(send, scheduleRender, { config: () => configOf("b"), side: () => "b" });
const pointEditor = new PointEditor(send);
const timeTravel = new TimeTravel(send);

// The errors that answer a `points` message: the edit did not happen.
const POINTS_REFUSALS = new Set(["bad_points", "invalid", "too_large"]);

function send(message) {
  const sent = connection.send(message);
  if (!sent) showMessage("Not connected: the change will be lost. Reconnecting…");
  return sent;
}

function setSettings(changes, side = changeSide()) {
  send({ type: "set", changes, ...(side ? { side } : {}) });
}

function focusNeuron(index) {
  page.focusNeuron = index;
  markDirty("output");
  scheduleRender();
}

// --- messages from the server ------------------------------------------------

const HANDLERS = {
  state(message) {
    if (message.layer_sizes.join() !== page.layerSizes.join()) backprop.leave(); // another network
    applyState(message);
    onCompareState(message);
    timeTravel.onState();
    showLink(message.hash);
    noteState(message.config);
    showLinkPointsNote(message.points_left_out);
    if (page.warnings.length) showMessage(page.warnings.join(" · "));
  },
  frame(message) {
    if (message.side === "b") {
      onFrameB(message);
      return;
    }
    applyFrame(message);
    applyGradients(message);
    timeTravel.onFrame(message.epoch, message.earliest_epoch);
  },
  data(message) {
    confusion.clear(); // its points are gone
    applyData(message);
    pointEditor.onData();
    if (page.config) picker.remember(datasetName(), page.data);
  },
  error(message) {
    showMessage(`Error (${message.code}): ${message.message}`);
    explainer.forget(); // an explain it may answer gets no other answer
    backprop.onError();
    controls.forgetPending(); // a refused change must not stay on screen
    // An edit of the points refused for any reason made no step of the undo history.
    if (POINTS_REFUSALS.has(message.code)) pointEditor.onRefused();
  },
  diverged(message) {
    page.playing = false;
    page.playRequest = null;
    markDirty("controls");
    showMessage(`Epoch ${message.epoch}: ${message.message}`);
    timeTravel.offerRecover(message.recover);
  },
  stopped(message) {
    page.playing = false;
    page.playRequest = null;
    page.stopReason = message.message;
    markDirty("controls", "metrics");
  },
  gradient_check: onGradientCheck,
  export: onExport,
  explain: (message) => explainer.onAnswer(message),
  applied: (message) => backprop.onApplied(message),
};

function onMessage(message) {
  const handler = HANDLERS[message.type];
  if (handler) handler(message);
  scheduleRender();
}

function onGrids(grids, side) {
  if (side === "b") onGridsB(grids);
  else applyGrids(grids);
  scheduleRender();
}

function onStatus(status, reason = "") {
  if (status === "connected") explainer.forget(); // a new session: the old one's answers are gone
  const element = $("connection-status");
  element.dataset.status = status;
  const text = { connecting: "Connecting…", connected: "Connected", disconnected: "Disconnected",
    reconnecting: "Reconnecting…" }[status];
  element.textContent = reason ? `${text} (${reason})` : text;
}

// The datasets `points` messages switch to (docs/protocol.md).
function usesCustomData() {
  return page.limits.custom_datasets.includes(datasetName());
}

// The server takes finite weights within ±max_abs_value only; a diverged
// network (nulls in the frame) starts afresh from the link instead.
function resumable(weights, biases) {
  const limit = page.limits.max_abs_value;
  return [weights, biases].flat(3).every((v) => Number.isFinite(v) && Math.abs(v) <= limit);
}

// A link longer than the server reads cannot open: say so at once and open the default playground.
function linkHash() {
  const limit = page.limits.max_hash_length;
  if (location.hash.length <= limit) return location.hash;
  showMessage(`This link is ${location.hash.length.toLocaleString("en")} characters long, but a link may have ` +
    `at most ${limit.toLocaleString("en")}: the default playground opened instead.`);
  return "";
}

// The loss chart's past for a new session: finite points only, thinned to what the engine keeps.
function pastLosses() {
  const finite = page.history.map((point) => point.slice(0, 3)).filter((point) => point.every(Number.isFinite));
  const stride = Math.ceil(finite.length / page.limits.max_history);
  return stride > 1 ? finite.filter((_, i) => i % stride === 0) : finite;
}

// What a new session is sent first, in order, before anything the user did meanwhile: on a
// reconnect it continues from the last frame, with the user's points and, if the old one was
// training, trains on.
function hello(reconnected) {
  const message = { type: "hello", hash: linkHash() };
  expectOpenedLink();
  if (reconnected && page.weights && resumable(page.weights, page.biases)) {
    message.resume = { epoch: page.epoch, weights: page.weights, biases: page.biases, history: pastLosses() };
  }
  const messages = [message];
  // The user's own points may be more than the link holds: hand them over too, in their sets.
  const { train, test } = page.data;
  if (reconnected && usesCustomData() && train.length + test.length) {
    messages.push({ type: "points", points: train, test, mode: "replace" });
  }
  if (page.showGradients) messages.push({ type: "gradients", on: true }); // a new session starts without
  if (reconnected && page.playing) messages.push({ type: "play" });
  return messages;
}

// --- drawing -------------------------------------------------------------------

let renderPending = false;

function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(render);
}

function render() {
  renderPending = false;
  const dirty = page.dirty;
  if (!page.config) return;
  if (dirty.controls) renderControls();
  if (dirty.network) {
    const focused = document.activeElement?.id;
    if (diagram.needsRebuild()) {
      diagram.rebuild();
      applyHidden(); // the rebuilt neuron buttons are hidable too
    } else diagram.update();
    diagram.updateLayerButtons(networkLimits().neurons);
    backprop.redraw(); // a frame restyled the links: the stage shown draws on them again
    if (focused && !document.activeElement?.id) $(focused)?.focus();
  }
  if (dirty.maps) diagram.drawMaps(page.config.discretize);
  if (dirty.output) drawOutput();
  if (dirty.data) drawDataPoints();
  if (dirty.chart) drawChart(secondRun());
  if (dirty.compare || dirty.maps) compareView.render();
  if (dirty.metrics) drawMetrics();
  if (dirty.gradients && page.showGradients) drawGradientChart($("gradient-chart"));
  drawNumbers();
  for (const part of Object.keys(dirty)) dirty[part] = false;
}

function renderControls() {
  const config = editedConfig(); // in Compare mode, the side the controls change
  controls.update(config);
  drawActivationPlot(activationPlot, page.activations, config.activation);
  picker.update(config, page.datasetKey);
  classroom.update(config);
  const shape = page.config.networkShape; // the layer buttons above A's diagram are A's
  $("num-layers").textContent = String(shape.length);
  $("layers-label").textContent = shape.length === 1 ? "hidden layer" : "hidden layers";
  $("add-layers").disabled = shape.length >= networkLimits().layers;
  $("remove-layers").disabled = shape.length === 0;
  const play = $("play-pause-button");
  play.classList.toggle("playing", page.playing);
  play.setAttribute("aria-pressed", String(page.playing));
  play.setAttribute("aria-label", page.playing ? "Pause" : "Run");
  $("point-value-control").hidden = !isRegression();
  pointEditor.updateClasses();
  drawLegend(); // the classes, when there are K
}

// --- user input ------------------------------------------------------------------

// Training without training points would show a loss of 0: say why it cannot start instead.
function canTrain() {
  if (page.data.train.length > 0) return true;
  showMessage("There are no training points: turn on \"Edit points\" and click the output square, or upload a CSV.");
  return false;
}

// Training again: the last stop's reason is old news (a new one comes if it still holds).
function clearStopReason() {
  page.stopReason = null;
  markDirty("metrics");
}

function togglePlay() {
  if (!page.playing && !canTrain()) return;
  clearStopReason();
  if (!page.playing) backprop.leave(); // training moves the weights the steps explain
  requestPlaying(!page.playing);
  scheduleRender();
  send({ type: page.playing ? "play" : "pause" });
}

function step() {
  if (!canTrain()) return;
  clearStopReason();
  backprop.leave(); // training moves the weights the steps explain
  send({ type: "step", n: 1 });
}

const reset = () => {
  clearStopReason();
  send({ type: "reset" });
};

function wireButtons() {
  $("play-pause-button").addEventListener("click", togglePlay);
  $("next-step-button").addEventListener("click", step);
  $("reset-button").addEventListener("click", reset);
  $("data-regen-button").addEventListener("click", () => send({ type: "regenerate" }));
  $("add-layers").addEventListener("click", () => editsA.changeLayers(+1));
  $("remove-layers").addEventListener("click", () => editsA.changeLayers(-1));
  // Editing the address bar's hash (or going back) opens that configuration.
  window.addEventListener("hashchange", () => {
    if (location.hash === page.hash) return;
    expectOpenedLink();
    send({ type: "hello", hash: linkHash() });
  });
  window.addEventListener("resize", () => {
    diagram.forceRebuild();
    compareView.resize();
    markDirty("network", "maps", "data", "chart", "compare");
    scheduleRender();
  });
}

// The server bakes {settings, limits} into <body data-settings>; /settings.json is the fallback.
async function loadSettings() {
  const baked = document.body.dataset.settings;
  if (baked && baked.startsWith("{")) return JSON.parse(baked);
  return loadJson("/settings.json");
}

// Every feature's map never changes, so it comes once, over HTTP; the diagram
// shows it on the features that are not inputs right now (as the original does).
async function loadFeatureMaps() {
  const body = await loadJson("/feature-maps.json");
  const maps = Object.fromEntries(Object.entries(body.maps).map(([name, codes]) => [name, Uint8Array.from(codes)]));
  page.featureMaps = { size: body.resolution, maps };
  markDirty("network");
  scheduleRender();
}

async function loadDatasetPreviews() {
  picker.setPreviews(await loadJson("/dataset-previews.json"));
}

async function start() {
  const { protocol, ...table } = await loadSettings();
  ({ settings: page.settings, limits: page.limits, hideable: page.hideable, activations: page.activations } = table);
  loadFeatureMaps().catch(() => {}); // without them, unused features just stay blank
  controls = new Controls(page.settings, { top: $("slot-top"), data: $("slot-data"), output: $("slot-output"),
    engine: $("slot-engine"), training: $("slot-training") }, setSettings);
  activationPlot = addActivationPlot(document.querySelector(".control.ui-activation"));
  wireGradientToggle($("show-gradients"), $("gradient-chart-box"), send);
  picker = new DatasetPicker($("datasets"), page.settings, setSettings, page.limits.custom_datasets);
  loadDatasetPreviews().catch(() => {}); // without them, squares stay blank until used
  const hovercard = new Hovercard($("hovercard"), $("network"), editsA);
  diagram = new NetworkDiagram($("network"), hovercard, {
    toggleFeature: (name, on) => setSettings({ [name]: on }, sideA()),
    resizeLayer: editsA.resizeLayer,
    focus: focusNeuron,
  });
  compareView = new CompareView(send, {
    toggleFeature: (name, on) => setSettings({ [name]: on }, "b"),
    resizeLayer: editsB.resizeLayer,
    changeLayers: editsB.changeLayers,
  }, () => {
    controls.forgetPending(); // the values the other side was sent are not this side's
    scheduleRender();
  });
  compareView.wire();
  drawLegend();
  drawAxes($("heatmap"), page.limits.extent);
  classroom = new ClassroomPanel($("classroom-choices"), $("classroom-link"), setSettings);
  wireButtons();
  wireKeyboard({ togglePlay, step, reset });
  explainer = new ExplainHover(diagram, send);
  explainer.wire();
  backprop = new BackpropSteps(explainer, send, togglePlay);
  backprop.wire();
  connection = connect({ message: onMessage, grids: onGrids, status: onStatus, hello }, protocol.idle_close_reason);
  pointEditor.wire();
  wireYourData({ edit: (message) => pointEditor.edit(message) });
  wireShareExport({ send });
  confusion = wireConfusion(send);
  connection.open();
}

start().catch((error) => showMessage(`The page could not start: ${error.message}`));
