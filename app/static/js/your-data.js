// The "Your data" panel: clearing your points, and uploading or downloading them
// as CSV. Clearing and uploading are edits (they can be undone); drawing is the
// point editor's (point-editor.js).

import { page, isRegression } from "./state.js";
import { parseCsv, toCsv, CsvError } from "./csv.js";
import { download } from "./download.js";
import { showFeedback, showMessage, withdrawMessage } from "./notices.js";

const $ = (id) => document.getElementById(id);

let lastCsvError = null; // shown until the next upload that works

async function readCsvFile(input, edit) {
  const file = input.files[0];
  input.value = ""; // choosing the same file again must fire `change` again
  if (!file) return;
  try {
    const points = parseCsv(await file.text(), isRegression());
    edit({ type: "points", points, mode: "replace" });
    showFeedback(`${points.length} points uploaded from ${file.name}.`);
    withdrawMessage(lastCsvError);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    lastCsvError = `${file.name}: ${error.message}`;
    showMessage(lastCsvError);
  }
}

/** Say when the link cannot hold the points in use (more than `limits.max_link_points`). */
export function showLinkPointsNote(leftOut) {
  $("link-points-note").hidden = !leftOut;
  if (!leftOut) return;
  $("link-points-text").textContent = `A link holds at most ${page.limits.max_link_points.toLocaleString("en")} ` +
    "of your own points. You have more, so this page's link holds none of them: keep them as a CSV.";
}

function downloadCsv() {
  download("neural-playground-data.csv", toCsv(page.data), "text/csv");
}

/** `edit(message)` sends an edit of the user's points (the point editor's, so it can be undone). */
export function wireYourData({ edit }) {
  $("clear-points-button").addEventListener("click", () => edit({ type: "points", points: [], mode: "replace" }));
  $("upload-csv").addEventListener("change", (event) => readCsvFile(event.target, edit));
  $("download-csv-button").addEventListener("click", downloadCsv);
  $("link-points-csv-button").addEventListener("click", downloadCsv);
}
