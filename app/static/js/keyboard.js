// The page's keyboard shortcuts, as the original's: space plays or pauses,
// → steps one epoch, r resets. They are off while the user types in a field.

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName));
}

/** `actions`: {togglePlay(), step(), reset()}. */
export function wireKeyboard(actions) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    // Space on a focused button already clicks it; only take it elsewhere.
    if (event.key === " " && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      actions.togglePlay();
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      actions.step();
    } else if (event.key === "r" || event.key === "R") {
      actions.reset();
    }
  });
}
