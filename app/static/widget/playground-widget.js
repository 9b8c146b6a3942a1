// The notebook widget's view (anywidget; the model is app/widget.py): the playground page
// itself in an iframe, so its document-wide ids and its one `page` state stay apart per view.
// The markup (the page's template rendered in Python), the stylesheet and the page's ES modules
// come in the widget's traitlets: the modules load as blob: URLs, each relative import
// rewritten to the other module's blob URL, so nothing is fetched from any server (it works
// behind JupyterHub's proxy and in VS Code). The page finds `nnpHost` on its window and talks
// to the kernel through it (app/static/js/host.js) instead of a WebSocket.

const IMPORT = /(from\s*|import\s*)"\.\/([\w-]+\.js)"/g;
const FIRST_HEIGHT = "900px"; // until the page has laid itself out

/** Blob URLs of the modules, each importing the others' blob URLs. */
function moduleUrls(sources) {
  const urls = {};
  const loading = new Set();
  const urlOf = (name) => {
    if (urls[name]) return urls[name];
    if (!(name in sources)) throw new Error(`the widget has no module ${name}`);
    if (loading.has(name)) throw new Error(`the page's modules import each other in a cycle at ${name}`);
    loading.add(name);
    const text = sources[name].replace(IMPORT, (_, keyword, imported) => `${keyword}"${urlOf(imported)}"`);
    urls[name] = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
    return urls[name];
  };
  for (const name of Object.keys(sources)) urlOf(name);
  return urls;
}

/**
 * The page's markup with the stylesheet from `stylesheetUrl` and no script yet (it comes after
 * nnpHost). The article below the playground stays in the page (its classroom panel is wired)
 * but hidden: a notebook has its own text.
 */
function frameMarkup(markup, stylesheetUrl) {
  const doc = new DOMParser().parseFromString(markup, "text/html");
  const article = doc.querySelector("article.article");
  if (article) {
    const hidden = doc.createElement("div"); // the page shows and hides the article itself (hideText)
    hidden.hidden = true;
    article.replaceWith(hidden);
    hidden.append(article);
  }
  doc.querySelector('link[rel="icon"]')?.remove();
  doc.querySelector('script[type="module"]')?.remove();
  doc.querySelector('link[rel="stylesheet"]').setAttribute("href", stylesheetUrl);
  return `<!doctype html>\n${doc.documentElement.outerHTML}`;
}

/** A binary buffer of the kernel's, as an ArrayBuffer of the frame's own realm (grids.js decodes it there). */
function frameBuffer(frameWindow, buffer) {
  const view = ArrayBuffer.isView(buffer) ? buffer : new DataView(buffer);
  const bytes = new frameWindow.Uint8Array(view.byteLength);
  bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return bytes.buffer;
}

/** The iframe as tall as the page in it, so the notebook scrolls, not the frame. */
function fitHeight(iframe) {
  const frameWindow = iframe.contentWindow;
  const body = frameWindow.document.body;
  const fit = () => {
    const margin = parseFloat(frameWindow.getComputedStyle(body).marginBottom) || 0;
    iframe.style.height = `${Math.ceil(body.getBoundingClientRect().bottom + margin)}px`;
  };
  const observer = new frameWindow.ResizeObserver(fit);
  observer.observe(body);
  return observer;
}

function render({ model, el }) {
  const urls = moduleUrls(model.get("modules"));
  const stylesheetUrl = URL.createObjectURL(new Blob([model.get("stylesheet")], { type: "text/css" }));
  const iframe = document.createElement("iframe");
  iframe.title = "Neural Playground";
  iframe.style.width = "100%";
  iframe.style.height = FIRST_HEIGHT;
  iframe.style.border = "0";
  iframe.style.display = "block";
  let listeners = []; // the page now in the frame (a notebook may reload the frame: a new page)
  let observer = null;

  const onMessage = (content, buffers) => {
    if (typeof content.text === "string") {
      for (const listener of listeners) listener(content.text);
    } else if (content.grids && buffers?.length) {
      model.send({ ack: true }); // the next training frame may come
      const frameWindow = iframe.contentWindow;
      if (frameWindow) for (const listener of listeners) listener(frameBuffer(frameWindow, buffers[0]));
    }
  };
  model.on("msg:custom", onMessage);

  // Every load of the frame (the first, and each time the notebook re-attaches it) starts a page.
  iframe.addEventListener("load", () => {
    const frameWindow = iframe.contentWindow;
    listeners = [];
    frameWindow.nnpHost = {
      resources: model.get("resources"),
      send: (text) => model.send({ text }),
      listen: (listener) => listeners.push(listener),
    };
    const script = frameWindow.document.createElement("script");
    script.type = "module";
    script.src = urls["main.js"];
    frameWindow.document.head.append(script);
    observer?.disconnect();
    observer = fitHeight(iframe);
  });
  iframe.srcdoc = frameMarkup(model.get("markup"), stylesheetUrl);
  el.append(iframe);

  return () => {
    model.off("msg:custom", onMessage);
    observer?.disconnect();
    for (const url of [...Object.values(urls), stylesheetUrl]) URL.revokeObjectURL(url);
  };
}

export default { render };
