// A canvas drawn in CSS pixels at the screen's pixel ratio (sharp on a phone's screen).

/** Size `canvas`'s bitmap to its box × devicePixelRatio; return its context, scaled to CSS pixels. */
export function fitCanvas(canvas, fallbackWidth = 1, fallbackHeight = 1) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || fallbackWidth, height = canvas.clientHeight || fallbackHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { context, width, height };
}
