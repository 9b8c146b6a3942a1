// The page's one WebSocket: connecting, decoding messages (docs/protocol.md),
// sending, and reconnecting with a growing delay when the connection drops.

import { GridDecoder } from "./grids.js";

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

/**
 * A self-healing connection. `handlers` is {message(msg), grids(grids, side),
 * status(name, reason), hello(reconnected) → the messages to send first on every (re)connect, hello first}.
 */
export class Connection {
  // idleReason: the close reason of a session the server let go idle (/settings.json's protocol).
  constructor(url, handlers, idleReason) {
    this.url = url;
    this.idleReason = idleReason;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0;
    this.everConnected = false;
    this.asleep = false; // closed by the server for idling: wake on the next message
    this.queue = []; // messages to send right after the hello that wakes it
    this.inbox = Promise.resolve(); // messages are handled in order, though grids decode asynchronously
    this.askedForKeyFrame = false;
  }

  open() {
    this.handlers.status(this.everConnected ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", () => this.onOpen());
    const decoders = this.newDecoders();
    socket.addEventListener("message", (event) => this.onMessage(event, decoders));
    socket.addEventListener("close", (event) => this.onClose(socket, event.code, event.reason));
    this.socket = socket;
  }

  onOpen() {
    const reconnected = this.everConnected;
    this.askedForKeyFrame = false; // a new session starts with a key frame
    this.attempt = 0;
    this.everConnected = true;
    // The session's opening messages first, then what the user did while there was none.
    for (const message of this.handlers.hello(reconnected)) this.send(message);
    for (const message of this.queue.splice(0)) this.send(message);
    this.handlers.status("connected");
  }

  /** Deltas apply to this connection's session only; Compare mode's side B has grids of its own. */
  newDecoders() {
    this.gridSide = "a"; // whose grids the next binary message holds: the last frame's side
    return { a: new GridDecoder(), b: new GridDecoder() };
  }

  onMessage(event, decoders) {
    this.inbox = this.inbox.then(() => this.handle(event.data, decoders)).catch((error) => {
      for (const decoder of Object.values(decoders)) decoder.forget(); // the next delta must not build on it
      console.error(`a server message failed: ${error}`);
    });
  }

  async handle(data, decoders) {
    if (typeof data === "string") {
      const message = JSON.parse(data);
      if (message.type === "frame") this.gridSide = message.side ?? "a";
      this.handlers.message(message);
      return;
    }
    const side = this.gridSide;
    const grids = await decoders[side].decode(data);
    if (grids) {
      this.askedForKeyFrame = false;
      this.handlers.grids(grids, side);
    } else if (!this.askedForKeyFrame) {
      this.askedForKeyFrame = this.send({ type: "key_frame" }); // deltas wait for it
    }
  }

  onClose(socket, code, reason) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.handlers.status("disconnected", reason); // e.g. "busy" when the server is full
    if (code === NORMAL_CLOSE && reason === this.idleReason) {
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
