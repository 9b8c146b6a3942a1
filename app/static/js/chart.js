// The loss chart: training loss (grey) and test loss (black) per epoch, as the
// original's line chart, drawn on a canvas scaled for the screen's pixel ratio.

const TRAIN_COLOUR = "#777";
const TEST_COLOUR = "#000";
const MAX_DRAWN_POINTS = 1500; // more than the chart is wide: thin out, never block

export function drawLossChart(canvas, history) {
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
  const points = thin(history.filter((p) => Number.isFinite(p[1]) && Number.isFinite(p[2])));
  if (points.length < 2) return;
  const first = points[0][0];
  const last = points[points.length - 1][0];
  let low = Infinity;
  let high = -Infinity;
  for (const [, train, test] of points) {
    low = Math.min(low, train, test);
    high = Math.max(high, train, test);
  }
  const x = (epoch) => ((epoch - first) / Math.max(1, last - first)) * (width - 2) + 1;
  const y = (loss) => height - 1 - ((loss - low) / Math.max(1e-12, high - low)) * (height - 2);
  line(context, points, x, (p) => y(p[1]), TRAIN_COLOUR);
  line(context, points, x, (p) => y(p[2]), TEST_COLOUR);
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
