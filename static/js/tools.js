// The "More" panel's tools: the user's data (clear, upload, download CSV),
// sharing (copy link), exports (model JSON, output PNG) and the gradient check,
// plus the two message lines the page writes to.

import { page, isRegression } from "./state.js";
import { parseCsv, toCsv, download, CsvError } from "./data-tools.js";
import { outputPng } from "./output.js";

const $ = (id) => document.getElementById(id);
const MESSAGE_MS = 10000;

let messageTimer = null;
let feedbackTimer = null;

/** A warning or error for the user (role=alert), cleared after a while. */
export function showMessage(text) {
  const element = $("messages");
  element.textContent = text;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => (element.textContent = ""), MESSAGE_MS);
}

/** Short feedback of a tool ("Link copied"). */
export function showFeedback(text) {
  const element = $("tool-feedback");
  element.textContent = text;
  clearTimeout(feedbackTimer);
  feedbackTimer = setTimeout(() => (element.textContent = ""), MESSAGE_MS);
}

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

async function readCsvFile(input, send) {
  const file = input.files[0];
  input.value = ""; // choosing the same file again must fire `change` again
  if (!file) return;
  try {
    const points = parseCsv(await file.text(), isRegression());
    send({ type: "points", points, mode: "replace" });
    showFeedback(`${points.length} points uploaded from ${file.name}.`);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    showMessage(`${file.name}: ${error.message}`);
  }
}

export function wireTools({ send }) {
  $("clear-points-button").addEventListener("click", () => send({ type: "points", points: [], mode: "replace" }));
  $("upload-csv").addEventListener("change", (event) => readCsvFile(event.target, send));
  $("download-csv-button").addEventListener("click", () => download("neural-playground-data.csv", toCsv(page.data), "text/csv"));
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
