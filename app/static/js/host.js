// Where the page runs, chosen once at start-up: served by the app (one WebSocket to /ws, its
// JSON over HTTP, the link in the address bar), or in a notebook widget's frame, whose view
// (app/static/widget/playground-widget.js) puts `nnpHost` on this window before main.js loads:
// messages then go through the kernel and the JSON comes with the widget.

import { Connection, socketUrl } from "./socket.js";

const widget = window.nnpHost;

/**
 * The widget's transport, with Connection's interface and its decoding (ordered inbox, grid
 * deltas, asking for a key frame): the kernel holds the session, so it is always "connected".
 */
class WidgetConnection extends Connection {
  constructor(host, handlers) {
    super("", handlers, "");
    this.host = host;
  }

  open() {
    this.handlers.status("connecting");
    const decoders = this.newDecoders();
    this.host.listen((data) => this.onMessage({ data }, decoders));
    this.onOpen();
  }

  get connected() {
    return true;
  }

  send(message) {
    this.host.send(JSON.stringify(message));
    return true;
  }
}

/** The page's connection to its session (handlers as socket.js's Connection takes them). */
export function connect(handlers, idleReason) {
  return widget ? new WidgetConnection(widget, handlers) : new Connection(socketUrl(location), handlers, idleReason);
}

/** One of the app's JSON documents (/settings.json, /feature-maps.json…); throws when it cannot. */
export async function loadJson(path) {
  if (widget) {
    if (!(path in widget.resources)) throw new Error(`the widget has no ${path}`);
    return widget.resources[path];
  }
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return response.json();
}

/** Show the playground's link in the address bar (a widget's frame has none). */
export function showLink(hash) {
  if (!widget) history.replaceState(null, "", hash);
}
