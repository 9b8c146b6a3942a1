// The page's one state object. Only server messages change it (plus the
// user's pending edits of a weight or bias, shown before the next frame);
// drawing code reads it and the `dirty` flags say what needs redrawing.

export const page = {
  settings: [], // rows of GET /settings.json: every setting, its default and bounds
  limits: {}, // GET /settings.json's limits: extent, max_points, max_text_length, …
  hideable: [], // GET /settings.json's controls a classroom link can hide: [{name, label}]
  config: null, // every setting's current value (the last `state`)
  datasetKey: null, // the setting that picks the data of this problem type ("dataset" or "regDataset")
  hash: "",
  warnings: [],
  layerSizes: [], // inputs, hidden…, 1
  features: [], // enabled input names, in input-layer order
  playing: false,
  epoch: 0,
  trainLoss: null,
  testLoss: null,
  history: [], // [epoch, train, test] or, with a learning-rate schedule, [epoch, train, test, rate]
  branches: [], // loss histories a rewind abandoned ([epoch, train, test] each), faded on the chart
  metrics: {}, // the frame's metrics: {train_accuracy, test_accuracy} or {train_r2, test_r2, train_mae, test_mae}
  confusion: null, // {train, test}: K×K counts, rows true class, columns predicted (classification)
  learningRate: null, // the rate the next epoch trains with (the schedule's)
  predicted: null, // {train, test}: one base-36 digit per point, its predicted class (while asked for)
  selectedCell: null, // {set, row, column}: the confusion cell whose points the output marks
  stopReason: null, // what the last `stopped` message said, until training starts again
  weights: null, // [layer][node][source]
  biases: null, // [layer][node]
  dead: null,
  gradients: null, // [layer][node][source]: the last update's, while "Show gradients" is on
  gradientHistory: [], // [{epoch, sizes}]: each weight layer's gradient RMS per frame (bounded)
  showGradients: false, // the links show gradients instead of weights
  activations: null, // GET /settings.json's activations: {z, curves: {name: {value, derivative}}}
  data: { train: [], test: [] },
  grids: null, // the last binary grid message, decoded
  featureMaps: null, // {size, maps: {name: Uint8Array}}: every feature's map, input or not
  focusNeuron: null, // index into grids.thumbnails shown in the big square
  playRequest: null, // {playing, at}: the user's play/pause, until a frame agrees
  dirty: { network: false, maps: false, output: false, chart: false, controls: false, data: false, metrics: false,
    gradients: false, compare: false },
};

export function markDirty(...parts) {
  for (const part of parts) page.dirty[part] = true;
}

function sameList(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

export function applyState(message) {
  const shapeChanged = !sameList(page.layerSizes, message.layer_sizes) || !sameList(page.features, message.features);
  page.config = message.config;
  page.datasetKey = message.dataset_key;
  page.hash = message.hash;
  page.warnings = message.warnings || [];
  page.layerSizes = message.layer_sizes;
  page.features = message.features;
  page.playing = message.playing;
  page.epoch = message.epoch;
  if (shapeChanged) {
    // Old weights and maps belong to another network; wait for the next frame.
    page.weights = null;
    page.biases = null;
    page.dead = null;
    page.grids = null;
    page.focusNeuron = null;
  }
  markDirty("controls", "network", "maps", "output", "data");
}

export function applyFrame(message) {
  page.epoch = message.epoch;
  page.trainLoss = message.train_loss;
  page.testLoss = message.test_loss;
  page.weights = message.weights;
  page.biases = message.biases;
  page.dead = message.dead || null;
  followPlaying(message.playing);
  if (message.history_reset) page.branches = message.branches || []; // abandoned by a rewind: drawn faded until a reset
  page.history = frameHistory(page.history, message);
  page.metrics = message.metrics || {};
  page.confusion = message.confusion || null;
  page.learningRate = message.learning_rate ?? null;
  if (page.predicted || message.predicted) markDirty("data"); // the marked points follow the predictions
  page.predicted = message.predicted || null;
  markDirty("network", "chart", "metrics");
}

// A scheduled rate rides along as each history point's fourth value (the chart's second axis).
function withRates(points, rates) {
  if (!rates || rates.length !== points.length) return points;
  return points.map((point, i) => [...point, rates[i]]);
}

// Long runs keep every other point once this many are stored: memory stays
// bounded and the chart (a few hundred pixels wide) looks the same.
const MAX_HISTORY = 20000;

/** `history` (the loss chart's points) with a frame's: its new points, or all of them after a
 * `history_reset` (Compare mode keeps B's history with it too). */
export function frameHistory(history, message) {
  return appendHistory(message.history_reset ? [] : history, withRates(message.history || [], message.rates));
}

// A frame's history holds the points since the last frame; when it starts at
// or before what we have (reset, new data, resume) the older tail is replaced.
function appendHistory(history, points) {
  if (points.length === 0) return history;
  const first = points[0][0];
  let kept = history.length && history[history.length - 1][0] >= first
    ? history.filter((point) => point[0] < first) : history;
  for (const point of points) kept.push(point);
  if (kept.length > MAX_HISTORY) kept = kept.filter((_, i) => i % 2 === 0);
  return kept;
}

// Frames sent before the server saw the user's play/pause still carry the
// old state; for a moment the button keeps the user's choice instead of flickering.
const PLAY_CONFIRM_MS = 1000;

function followPlaying(playing) {
  const request = page.playRequest;
  if (request && playing !== request.playing && performance.now() - request.at < PLAY_CONFIRM_MS) return;
  page.playRequest = null;
  if (page.playing !== playing) markDirty("controls");
  page.playing = playing;
}

/** The user pressed play or pause: show it at once, and trust frames once they agree. */
export function requestPlaying(playing) {
  page.playing = playing;
  page.playRequest = { playing, at: performance.now() };
  markDirty("controls");
}

export function applyData(message) {
  page.data = { train: message.train, test: message.test };
  markDirty("data", "output");
}

export function applyGrids(grids) {
  page.grids = grids;
  markDirty("maps", "output");
}

/** Thumbnail index of neuron `node` in layer `layer` (0 = inputs) of a network of `sizes`. */
export function neuronIndex(layer, node, sizes = page.layerSizes) {
  let index = node;
  for (let i = 0; i < layer; i++) index += sizes[i];
  return index;
}

export function settingRow(name) {
  return page.settings.find((row) => row.name === name);
}

/** Human words for a choice of `row` (the settings table's `choice_labels`), else the value capitalised. */
export function choiceText(value, row = null) {
  return row?.choice_labels?.[value] ?? String(value).charAt(0).toUpperCase() + String(value).slice(1);
}

/** The dataset in use (the user's own points are a dataset too). */
export function datasetName() {
  return page.config?.[page.datasetKey] ?? null;
}

/** Whether the output neuron predicts a value (regression) rather than a class. */
export function isRegression() {
  return page.config !== null && page.config.problem === "regression";
}
