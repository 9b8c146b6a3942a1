// Classroom links (tfp-reference 7b). `NAME_hide=true` hides every element of
// class `ui-NAME`, and `hideText=true` every `ui-text` part (the header, the
// article, the More section), as the link was opened: like the original, the
// "Use it in a classroom" checkboxes rewrite the link and show it, and the link
// hides the controls for whoever opens it. The hidable names and their labels
// come from the settings table (`hideable` of /settings.json).

import { page } from "./state.js";

let opened = { hidden: [], hideText: false }; // what the link as opened hides
let openingLink = true; // the next `state` answers a hello: it is a link being opened

/** A hello is on its way: its `state` is the link as opened. */
export function expectOpenedLink() {
  openingLink = true;
}

/** Take what a `state` hides if it answers a hello; other states leave the page as it is. */
export function noteState(config) {
  if (!openingLink) return;
  openingLink = false;
  opened = { hidden: config.hidden, hideText: config.hideText };
  applyHidden();
}

/** Hide what the opened link hides (again after the diagram was rebuilt). */
export function applyHidden() {
  const names = new Set(opened.hidden);
  for (const { name } of page.hideable) {
    for (const element of document.getElementsByClassName(`ui-${name}`)) element.hidden = names.has(name);
  }
  for (const element of document.getElementsByClassName("ui-text")) element.hidden = opened.hideText;
}

function checkbox(id, text, onToggle) {
  const wrapper = document.createElement("label");
  wrapper.className = "classroom-choice";
  const input = document.createElement("input");
  input.type = "checkbox";
  input.id = id;
  input.addEventListener("change", () => onToggle(input.checked));
  wrapper.append(input, document.createTextNode(` ${text}`));
  return { wrapper, input };
}

/** The "Use it in a classroom" checkboxes (checked = visible) and the link they make. */
export class ClassroomPanel {
  /** `onChange(changes)` sends a `set`; `list`: where the checkboxes go; `link`: an <a>. */
  constructor(list, link, onChange) {
    this.link = link;
    this.hidden = [];
    this.boxes = page.hideable.map(({ name, label }) => {
      const box = checkbox(`show-${name}`, label, (visible) => onChange({ hidden: this.toggled(name, visible) }));
      list.append(box.wrapper);
      return { name, input: box.input };
    });
    const text = checkbox("show-text", "Header, text and More section", (visible) => onChange({ hideText: !visible }));
    list.append(text.wrapper);
    this.textBox = text.input;
  }

  toggled(name, visible) {
    const names = new Set(this.hidden);
    if (visible) names.delete(name);
    else names.add(name);
    return [...names];
  }

  /** Show the configuration's choices and the page's link (the server just wrote it). */
  update(config) {
    this.hidden = config.hidden;
    for (const { name, input } of this.boxes) input.checked = !config.hidden.includes(name);
    this.textBox.checked = !config.hideText;
    this.link.href = location.href;
    this.link.textContent = location.href;
  }
}
