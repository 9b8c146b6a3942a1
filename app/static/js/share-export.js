// The "Share & export" panel: copy the link, export and import the model (JSON),
// export the output square (PNG), and check the gradients.

import { download } from "./download.js";
import { showFeedback, showMessage } from "./notices.js";
import { outputPng } from "./output.js";

const $ = (id) => document.getElementById(id);

export function onGradientCheck(message) {
  const errors = message.max_relative_error.map((value, layer) =>
    `layer ${layer + 1}: ${Number.isFinite(value) ? value.toExponential(1) : "not a number"}`);
  const verdict = message.ok ? "Gradients OK" : "Gradients DIFFER";
  showFeedback(`${verdict} (max relative error per layer — ${errors.join(", ")})`);
}

export function onExport(message) {
  download("neural-playground-model.json", JSON.stringify(message.model, null, 2), "application/json");
  showFeedback("Model exported.");
}

async function copyLink() {
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    showFeedback("Link copied to the clipboard.");
  } catch {
    // No clipboard permission (plain http, some browsers): let the user copy it.
    showFeedback(`Copy this link: ${link}`);
  }
}

// The server checks the model (Playground.load) and answers with its state, or `bad_model`.
async function importModel(input, send) {
  const file = input.files[0];
  input.value = ""; // the same file again must fire `change` again
  if (!file) return;
  let model;
  try {
    model = JSON.parse(await file.text());
  } catch {
    showMessage(`${file.name}: not a model exported from this playground (not JSON).`);
    return;
  }
  // The server's state (or its `bad_model` error) says how it went.
  if (send({ type: "load", model })) showFeedback(`Importing the model from ${file.name}…`);
}

export function wireShareExport({ send }) {
  $("import-model").addEventListener("change", (event) => importModel(event.target, send));
  $("copy-link-button").addEventListener("click", copyLink);
  $("export-model-button").addEventListener("click", () => send({ type: "export" }));
  $("export-png-button").addEventListener("click", async () => {
    download("neural-playground-output.png", await outputPng(), "image/png");
  });
  $("gradient-check-button").addEventListener("click", () => {
    showFeedback("Checking gradients…");
    send({ type: "gradient_check" });
  });
}
