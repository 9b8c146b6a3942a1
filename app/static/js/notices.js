// The two lines where the page tells the user something: #messages for
// warnings and errors (role=alert), #tool-feedback for what a tool did.

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

/** Take back `text` if it is still the message shown (what it warned of is fixed). */
export function withdrawMessage(text) {
  const element = $("messages");
  if (element.textContent === text) element.textContent = "";
}

/** Short feedback of a tool ("Link copied"). */
export function showFeedback(text) {
  const element = $("tool-feedback");
  element.textContent = text;
  clearTimeout(feedbackTimer);
  feedbackTimer = setTimeout(() => (element.textContent = ""), MESSAGE_MS);
}
