// The output square's axes: a tick and its number at every whole unit from
// −extent to extent (limits.extent), as the original's d3 axes.

function tick(value, percent, property) {
  const element = document.createElement("span");
  element.className = "tick";
  element.textContent = String(value);
  element.style[property] = `${percent}%`;
  return element;
}

/** Fill the `.axis-x` and `.axis-y` elements of `heatmap` with ticks. */
export function drawAxes(heatmap, extent) {
  const xAxis = heatmap.querySelector(".axis-x");
  const yAxis = heatmap.querySelector(".axis-y");
  const ticksX = [];
  const ticksY = [];
  for (let value = -extent; value <= extent; value++) {
    const percent = ((value + extent) / (2 * extent)) * 100;
    ticksX.push(tick(value, percent, "left"));
    ticksY.push(tick(value, 100 - percent, "top"));
  }
  xAxis.replaceChildren(...ticksX);
  yAxis.replaceChildren(...ticksY);
}
