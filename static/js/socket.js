// The page's one WebSocket: connecting, decoding messages (docs/protocol.md),
// sending, and reconnecting with a growing delay when the connection drops.

const GRID_KIND = 1;
const GRID_HEADER_BYTES = 12;
const RETRY_DELAYS_MS = [500, 1000, 2000, 3000]; // then every 3 s

/**
 * The delay before reconnect attempt `attempt`, spread by a random factor of
 * 0.5 to 1.5: when a server process stops, its pages must not all come back
 * to the remaining ones at the same instant (tests/deploy measures this).
 */
export function retryDelay(attempt) {
  const base = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
  return base * (0.5 + Math.random());
}
const NORMAL_CLOSE = 1000;
const IDLE_REASON = "idle timeout"; // app/connection.py closes idle sessions with it

/** Decode a binary grid message into views on its bytes (no copying). */
export function parseGrids(buffer) {
  const view = new DataView(buffer);
  const kind = view.getUint8(0);
  if (kind !== GRID_KIND) throw new Error(`unknown binary message kind ${kind}`);
  const size = view.getUint16(2, true);
  const thumbSize = view.getUint16(4, true);
  const count = view.getUint16(6, true);
  const epoch = view.getUint32(8, true);
  const output = new Uint8Array(buffer, GRID_HEADER_BYTES, size * size);
  const thumbnails = [];
  let offset = GRID_HEADER_BYTES + size * size;
  for (let i = 0; i < count; i++) {
    thumbnails.push(new Uint8Array(buffer, offset, thumbSize * thumbSize));
    offset += thumbSize * thumbSize;
  }
  return { epoch, size, thumbSize, output, thumbnails };
}

/**
 * A self-healing connection. `handlers` is {message(msg), grids(grids),
 * status(name, reason), hello(reconnected) → the hello to send on every (re)connect}.
 */
export class Connection {
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0;
    this.everConnected = false;
    this.asleep = false; // closed by the server for idling: wake on the next message
    this.queue = []; // messages to send right after the hello that wakes it
  }

  open() {
    this.handlers.status(this.everConnected ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", () => this.onOpen());
    socket.addEventListener("message", (event) => this.onMessage(event));
    socket.addEventListener("close", (event) => this.onClose(socket, event.code, event.reason));
    this.socket = socket;
  }

  onOpen() {
    const reconnected = this.everConnected;
    this.attempt = 0;
    this.everConnected = true;
    this.send(this.handlers.hello(reconnected));
    for (const message of this.queue.splice(0)) this.send(message);
    this.handlers.status("connected");
  }

  onMessage(event) {
    if (typeof event.data === "string") {
      this.handlers.message(JSON.parse(event.data));
    } else {
      this.handlers.grids(parseGrids(event.data));
    }
  }

  onClose(socket, code, reason) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.handlers.status("disconnected", reason); // e.g. "busy" when the server is full
    if (code === NORMAL_CLOSE && reason === IDLE_REASON) {
      this.asleep = true; // a page left alone frees its place on the server
      return;
    }
    const delay = retryDelay(this.attempt);
    this.attempt += 1;
    setTimeout(() => this.open(), delay);
  }

  get connected() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Send a message. A connection the server closed for idling wakes up and
   * sends it after its hello; otherwise, while disconnected, it is dropped
   * (the hello on reconnect carries the state).
   */
  send(message) {
    if (this.asleep) {
      this.asleep = false;
      this.queue.push(message);
      this.open();
      return true;
    }
    if (!this.connected) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }
}

export function socketUrl(location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
