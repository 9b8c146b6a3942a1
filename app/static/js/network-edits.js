// The user's edits of the network: neurons per hidden layer, the number of
// hidden layers, one weight or one bias. Each is sent to the server, which
// answers with the network as it now is.

import { page, markDirty, settingRow } from "./state.js";

/** The network limits of the current mode ({layers, neurons}), from the settings table. */
export function networkLimits() {
  const row = settingRow("networkShape");
  return row.limits[page.config?.mode ?? "classic"] ?? row.limits.classic;
}

/** `send(message)` sends to the server; `redraw()` asks for the next animation frame; `target`:
 * the configuration whose shape is edited and the `set`'s side (Compare mode: compare.js). */
export function networkEdits(send, redraw, target = { config: () => page.config, side: () => null }) {
  // The shape is kept locally until the server's `state` confirms it, so quick
  // clicks add up instead of each starting from the last confirmed shape.
  function sendShape(shape) {
    target.config().networkShape = shape;
    const side = target.side();
    send({ type: "set", changes: { networkShape: shape }, ...(side ? { side } : {}) });
  }

  function resizeLayer(layer, size) {
    const shape = [...target.config().networkShape];
    shape[layer] = Math.max(1, Math.min(networkLimits().neurons, size));
    sendShape(shape);
  }

  function changeLayers(delta) {
    const shape = [...target.config().networkShape];
    if (delta > 0 && shape.length < networkLimits().layers) shape.push(settingRow("networkShape").new_layer);
    if (delta < 0 && shape.length > 0) shape.pop();
    sendShape(shape);
  }

  // Edits show at once; the next frame from the server confirms them.
  function editWeight(layer, node, source, value) {
    if (!page.weights) return; // the network changed under the card; nothing to edit
    page.weights[layer][node][source] = value;
    markDirty("network");
    redraw();
    send({ type: "set_weight", layer, node, source, value });
  }

  function editBias(layer, node, value) {
    if (!page.biases) return;
    page.biases[layer][node] = value;
    markDirty("network");
    redraw();
    send({ type: "set_bias", layer, node, value });
  }

  return { resizeLayer, changeLayers, editWeight, editBias };
}
