// The loss chart: training loss (grey) and test loss (black) per epoch, as the
// original's line chart, drawn on a canvas scaled for the screen's pixel ratio.
// With a learning-rate schedule the rate is drawn faintly on a second axis
// (0 at the bottom, its largest value at the top, labelled at the right).
// Branches a rewind abandoned are drawn faded behind, on the same axes.
// Compare mode draws a second run (B's) on the same axes in its own colours.

const TRAIN_COLOUR = "#777";
const TEST_COLOUR = "#000";
const RATE_COLOUR = "rgba(30, 110, 200, 0.35)";
const BRANCH_TRAIN_COLOUR = "rgba(119, 119, 119, 0.3)";
const BRANCH_TEST_COLOUR = "rgba(0, 0, 0, 0.25)";
const RATE_FONT = "9px sans-serif";
const MAX_DRAWN_POINTS = 1500; // more than the chart is wide: thin out, never block

/** `second`: null, or {history, train, test} — another run and its two colours. */
export function drawLossChart(canvas, history, branches = [], second = null) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  const points = thin(finite(history));
  const faded = branches.map(finite).filter((branch) => branch.length > 0);
  const other = second ? thin(finite(second.history)) : [];
  canvas.dataset.branches = String(faded.length);
  canvas.dataset.runs = String(1 + (other.length >= 2 ? 1 : 0));
  if (points.length < 2) return;
  let first = points[0][0];
  let last = points[points.length - 1][0];
  let low = Infinity;
  let high = -Infinity;
  for (const [epoch, train, test] of [...points, ...faded.flat(), ...other]) {
    first = Math.min(first, epoch);
    last = Math.max(last, epoch);
    low = Math.min(low, train, test);
    high = Math.max(high, train, test);
  }
  const x = (epoch) => ((epoch - first) / Math.max(1, last - first)) * (width - 2) + 1;
  const y = (loss) => height - 1 - ((loss - low) / Math.max(1e-12, high - low)) * (height - 2);
  for (const branch of faded) {
    line(context, branch, x, (p) => y(p[1]), BRANCH_TRAIN_COLOUR);
    line(context, branch, x, (p) => y(p[2]), BRANCH_TEST_COLOUR);
  }
  drawRates(context, points, x, width, height);
  line(context, points, x, (p) => y(p[1]), TRAIN_COLOUR);
  line(context, points, x, (p) => y(p[2]), TEST_COLOUR);
  if (other.length < 2) return;
  line(context, other, x, (p) => y(p[1]), second.train);
  line(context, other, x, (p) => y(p[2]), second.test);
}

// The second axis: each point's scheduled rate (its fourth value), when every point has one.
function drawRates(context, points, x, width, height) {
  if (!points.every((p) => Number.isFinite(p[3]))) return;
  const top = Math.max(...points.map((p) => p[3]));
  if (!(top > 0)) return;
  line(context, points, x, (p) => height - 1 - (p[3] / top) * (height - 2), RATE_COLOUR);
  context.fillStyle = RATE_COLOUR;
  context.font = RATE_FONT;
  context.textAlign = "right";
  context.textBaseline = "top";
  context.fillText(`rate ${Number(top.toPrecision(2))}`, width - 2, 1);
}

function finite(points) {
  return points.filter((p) => Number.isFinite(p[1]) && Number.isFinite(p[2]));
}

function thin(points) {
  if (points.length <= MAX_DRAWN_POINTS) return points;
  const every = Math.ceil(points.length / MAX_DRAWN_POINTS);
  const kept = points.filter((_, i) => i % every === 0);
  kept.push(points[points.length - 1]);
  return kept;
}

function line(context, points, x, y, colour) {
  context.beginPath();
  context.strokeStyle = colour;
  context.lineWidth = 1.5;
  points.forEach((point, i) => {
    if (i === 0) context.moveTo(x(point[0]), y(point));
    else context.lineTo(x(point[0]), y(point));
  });
  context.stroke();
}
