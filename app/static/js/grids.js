// Decoding the binary grid messages (docs/protocol.md, "Binary grid message"):
// a key frame carries every cell's code, a delta the mod-256 differences
// against the previous message's codes, zlib-deflated; a zero-runs delta the
// same differences as (run of unchanged cells, change) pairs. With K classes
// the message holds K output maps (class probabilities), one after the other.

const GRID_KIND = 1;
const GRID_VERSION = 4;
const HEADER_BYTES = 20;
const KEY_FRAME = 0;
const DELTA_FRAME = 1;
const ZERO_RUNS_FRAME = 2;
const MAX_RUN_BITS = 35; // five bytes of seven bits: more cells than a message holds
const SEQUENCE_MODULUS = 2 ** 32;

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function readHeader(buffer) {
  const view = new DataView(buffer);
  const kind = view.getUint8(0);
  const version = view.getUint8(1);
  if (kind !== GRID_KIND || version !== GRID_VERSION) throw new Error(`unknown grid message ${kind}/${version}`);
  return {
    encoding: view.getUint8(2),
    outputs: view.getUint8(3),
    size: view.getUint16(4, true),
    thumbSize: view.getUint16(6, true),
    count: view.getUint16(8, true),
    epoch: view.getUint32(12, true),
    sequence: view.getUint32(16, true),
  };
}

/** Views of one message's grids on the codes (no copying). */
function gridViews(header, codes) {
  const { size, thumbSize, count, epoch } = header;
  const outputs = Array.from({ length: header.outputs }, (_, k) => codes.subarray(k * size * size, (k + 1) * size * size));
  const thumbnails = [];
  let offset = header.outputs * size * size;
  for (let i = 0; i < count; i++) {
    thumbnails.push(codes.subarray(offset, offset + thumbSize * thumbSize));
    offset += thumbSize * thumbSize;
  }
  return { epoch, size, thumbSize, output: outputs[0], outputs, thumbnails };
}

/**
 * A copy of the codes with a zero-runs payload's changes added: each pair is the
 * count of unchanged cells (base 128, low bits first, the high bit set on every
 * byte but the last), then the next cell's change (mod 256, as a Uint8Array
 * keeps it). A copy, so a payload that turns out bad leaves the codes as they were.
 */
function withZeroRuns(previous, bytes) {
  const codes = previous.slice();
  let cell = 0;
  let at = 0;
  while (at < bytes.length) {
    let run = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[at++];
      run += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (shift > MAX_RUN_BITS) throw new Error("a zero-runs grid message with a run of more than five bytes");
    } while (byte & 0x80 && at < bytes.length);
    cell += run;
    if (at >= bytes.length || !(cell < codes.length)) throw new Error(`a zero-runs grid message past its ${codes.length} cells`);
    codes[cell++] += bytes[at++];
  }
  return codes;
}

/**
 * The grids of one connection: keeps the last codes, applies deltas to them.
 * `decode` resolves to the grids, or to null for a delta it has no base for
 * (the caller asks the server for a key frame; deltas are dropped until one comes).
 */
export class GridDecoder {
  constructor() {
    this.codes = null;
    this.header = null;
  }

  async decode(buffer) {
    const header = readHeader(buffer);
    const bytes = new Uint8Array(buffer, HEADER_BYTES);
    const cells = header.outputs * header.size * header.size + header.count * header.thumbSize * header.thumbSize;
    if (header.encoding === ZERO_RUNS_FRAME && this.follows(header)) {
      this.codes = withZeroRuns(this.codes, bytes);
    } else if (header.encoding === KEY_FRAME || (header.encoding === DELTA_FRAME && this.follows(header))) {
      const payload = await inflate(bytes);
      if (payload.length !== cells) throw new Error(`grid message of ${payload.length} cells, expected ${cells}`);
      if (header.encoding === KEY_FRAME) {
        this.codes = payload;
      } else {
        const codes = this.codes;
        for (let i = 0; i < cells; i++) codes[i] += payload[i]; // a Uint8Array keeps it mod 256
      }
    } else {
      this.codes = null;
      return null;
    }
    this.header = header;
    return gridViews(header, this.codes);
  }

  /** Whether a delta applies to the codes held: the very next message, of the same layout. */
  follows(header) {
    const last = this.header;
    return this.codes !== null && header.sequence === (last.sequence + 1) % SEQUENCE_MODULUS
      && header.size === last.size && header.thumbSize === last.thumbSize && header.count === last.count
      && header.outputs === last.outputs;
  }

  forget() {
    this.codes = null;
  }
}
