// Trainer state ⇄ text (state.json). Isomorphic: the Node CLI writes the text to a file, a page
// can keep it in IndexedDB. The file is one JSON object:
//   {"format":"directed-maml-state","formatVersion":1,"checksum":"<16 hex>","payload":{…}}
// where checksum = FNV-1a 64 over the UTF-8 bytes of the payload's canonical JSON (keys sorted,
// no whitespace), so any edit that changes the payload's meaning is caught on load.
//
// Numbers must come back bit-exactly (a resumed run must equal an uninterrupted one):
// - typed arrays (Float32Array, Int32Array, …) are stored as {"$typed": "Float32Array", "b64": …}:
//   base64 of their bytes in little-endian order — exact for every bit pattern (-0, NaN payloads,
//   subnormals) and 4/3 the size of the binary, smaller than decimal text;
// - plain numbers are printed by JSON, which round-trips every finite double; the values JSON
//   cannot print (-0, NaN, ±Infinity) are stored as {"$number": "-0" | "NaN" | "Infinity" | "-Infinity"}.
// Keys starting with '$' are reserved for these tags.
import { fnv1a64 } from '../core/hash';

export { fnv1a64 };

export const STATE_FORMAT = 'directed-maml-state';
export const STATE_FORMAT_VERSION = 1;

type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Uint8ClampedArray;

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => TypedArray> = {
  Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array, Uint8ClampedArray,
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of a typed array in little-endian order (a copy). */
function littleEndianBytes(a: TypedArray): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
  if (!LITTLE_ENDIAN) swapBytes(bytes, a.BYTES_PER_ELEMENT);
  return bytes;
}

function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

// ---- base64 (RFC 4648, with padding); written here so the module needs neither Buffer nor btoa.
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    chunk += B64[n >>> 18] + B64[(n >>> 12) & 63] + (i + 1 < bytes.length ? B64[(n >>> 6) & 63] : '=') + (i + 2 < bytes.length ? B64[n & 63] : '=');
    if (chunk.length >= 4096) { parts.push(chunk); chunk = ''; }
  }
  parts.push(chunk);
  return parts.join('');
}

export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error('checkpoint: base64 length is not a multiple of 4');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const isPad = c === 61 && i + j >= text.length - pad;
      const v = isPad ? 0 : c < 128 ? B64_INDEX[c] : -1;
      if (v < 0) throw new Error(`checkpoint: invalid base64 character at ${i + j}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}


function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && (v.constructor.name in TYPED_ARRAYS);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The JSON-safe form of a value: typed arrays and non-JSON numbers tagged, keys checked. */
function encode(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return { $number: '-0' };
    if (!Number.isFinite(value)) return { $number: String(value) };
    return value;
  }
  if (isTypedArray(value)) return { $typed: value.constructor.name, b64: toBase64(littleEndianBytes(value)) };
  if (Array.isArray(value)) return value.map((v, i) => (v === undefined ? null : encode(v, `${path}[${i}]`)));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = value[key];
      if (v === undefined) continue;
      if (key.startsWith('$')) throw new Error(`checkpoint: key ${path}.${key} starts with '$' (reserved for tags)`);
      out[key] = encode(v, `${path}.${key}`);
    }
    return out;
  }
  const what = typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value;
  throw new Error(`checkpoint: ${path} is a ${what}; state may hold plain objects, arrays, strings, numbers, booleans, null and typed arrays`);
}

function decode(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => decode(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if ('$number' in obj) {
    const special: Record<string, number> = { '-0': -0, NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
    const tag = obj.$number;
    if (typeof tag !== 'string' || !(tag in special)) throw new Error(`checkpoint: ${path} has an unknown number tag ${JSON.stringify(tag)}`);
    return special[tag];
  }
  if ('$typed' in obj) {
    const Ctor = TYPED_ARRAYS[obj.$typed as string];
    if (!Ctor || typeof obj.b64 !== 'string') throw new Error(`checkpoint: ${path} has an unknown typed-array tag ${JSON.stringify(obj.$typed)}`);
    const bytes = fromBase64(obj.b64);
    const width = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (bytes.length % width !== 0) throw new Error(`checkpoint: ${path} has ${bytes.length} bytes, not a multiple of ${width}`);
    if (!LITTLE_ENDIAN) swapBytes(bytes, width);
    return new Ctor(bytes.buffer as ArrayBuffer);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decode(v, `${path}.${k}`);
  return out;
}

/** Canonical JSON of an encoded payload: object keys sorted at every level, no whitespace. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const utf8 = new TextEncoder();

/** state → the text of state.json (format, version, checksum, payload). */
export function serializeState(state: object): string {
  const payload = canonicalJson(encode(state, 'state'));
  const checksum = fnv1a64(utf8.encode(payload));
  return `{"format":"${STATE_FORMAT}","formatVersion":${STATE_FORMAT_VERSION},"checksum":"${checksum}","payload":${payload}}\n`;
}

/**
 * The text of state.json → state, with typed arrays restored. Throws an Error starting with
 * 'checkpoint:' on text that is not JSON, another format or version, or a checksum mismatch.
 */
export function deserializeState(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`checkpoint: not valid JSON (${(err as Error).message}); the file is truncated or corrupt`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('checkpoint: not a state object');
  const { format, formatVersion, checksum, payload } = doc as Record<string, unknown>;
  if (format !== STATE_FORMAT) throw new Error(`checkpoint: format is ${JSON.stringify(format)}, expected "${STATE_FORMAT}"`);
  if (formatVersion !== STATE_FORMAT_VERSION) {
    throw new Error(`checkpoint: formatVersion is ${JSON.stringify(formatVersion)}; this version of directed-maml reads ${STATE_FORMAT_VERSION}`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('checkpoint: payload is not an object');
  const actual = fnv1a64(utf8.encode(canonicalJson(payload)));
  if (checksum !== actual) throw new Error(`checkpoint: checksum mismatch (stored ${JSON.stringify(checksum)}, computed "${actual}"); the file is corrupt`);
  return decode(payload, 'state') as Record<string, unknown>;
}
