// Checkpoint text: bit-exact round trip of typed arrays and special numbers, checksum against an
// independent FNV-1a 64 (BigInt) written here, corruption and version checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

/** Bits of a float32 value as a uint32, to compare NaN payloads and -0 exactly. */
function bits32(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function fromBits(words: number[]): Float32Array {
  return new Float32Array(new Uint32Array(words).buffer);
}

/** FNV-1a 64 with BigInt: the reference for the limb arithmetic of the implementation. */
function fnvReference(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function sampleState() {
  const special = fromBits([
    0x80000000, // -0
    0x7fc00000, // quiet NaN
    0x7fa00001, // NaN with a payload
    0xffc00123, // negative NaN with a payload
    0x00000001, // smallest subnormal
    0x807fffff, // largest negative subnormal
    0x7f800000, // +Infinity
    0xff800000, // -Infinity
    0x7f7fffff, // largest finite
    0x3f800000, // 1
  ]);
  const random = new Float32Array(1001);
  let s = 12345;
  for (let i = 0; i < random.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    random[i] = (s / 2 ** 32 - 0.5) * 2 ** ((i % 60) - 30);
  }
  const offsetView = new Float32Array(new Float32Array([9, 8, 7, 6, 5]).buffer, 4, 3); // a view with byteOffset
  return {
    config: { env: 'CartPole-v1', algo: 'directed-maml', hidden: [64, 64], innerLr: 0.1, ranges: { halfLength: [0.25, 0.75] }, medium: undefined },
    iteration: 17,
    params: [special, random, offsetView, new Float32Array(0)],
    adam: { m: [random.map((x) => x * 0.5)], v: [random.map((x) => x * x)], step: 17, beta1Power: 0.9 ** 17 },
    metaSgdLr: [new Float32Array([0.1, 0.1])],
    rng: { seed: 4294967295, counter: 2 ** 53 - 1, taskCounter: 0 },
    other: { f64: new Float64Array([Math.PI, -0, NaN, 5e-324]), i32: new Int32Array([-1, 2 ** 31 - 1, -(2 ** 31)]), u8: new Uint8Array([0, 255, 7]) },
    numbers: [-0, NaN, Infinity, -Infinity, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, -1e-7],
    flags: { done: false, label: 'ü ✓ "quoted"', nothing: null },
  };
}

test('round trip: typed arrays bit-exact (-0, NaN payloads, subnormals), plain numbers, nesting', () => {
  const state = sampleState();
  const text = dm.serializeState(state);
  const back = dm.deserializeState(text) as any;
  for (let i = 0; i < state.params.length; i++) {
    assert.ok(back.params[i] instanceof Float32Array, `params[${i}] is a Float32Array`);
    assert.deepEqual([...bits32(back.params[i])], [...bits32(state.params[i])], `params[${i}] bits`);
  }
  assert.deepEqual([...bits32(back.adam.m[0])], [...bits32(state.adam.m[0])]);
  assert.deepEqual([...bits32(back.adam.v[0])], [...bits32(state.adam.v[0])]);
  assert.ok(back.other.f64 instanceof Float64Array && back.other.i32 instanceof Int32Array && back.other.u8 instanceof Uint8Array);
  const f64bits = (a: Float64Array) => [...new BigUint64Array(a.buffer.slice(0))];
  assert.deepEqual(f64bits(back.other.f64), f64bits(state.other.f64));
  assert.deepEqual([...back.other.i32], [...state.other.i32]);
  assert.deepEqual([...back.other.u8], [...state.other.u8]);
  // Plain numbers: Object.is keeps -0 apart from 0 and NaN equal to NaN.
  state.numbers.forEach((x, i) => assert.ok(Object.is(back.numbers[i], x), `numbers[${i}]: ${back.numbers[i]} vs ${x}`));
  assert.equal(back.adam.beta1Power, state.adam.beta1Power);
  assert.equal(back.rng.counter, 2 ** 53 - 1);
  // undefined fields are dropped, like JSON.
  assert.deepEqual(back.config, { env: 'CartPole-v1', algo: 'directed-maml', hidden: [64, 64], innerLr: 0.1, ranges: { halfLength: [0.25, 0.75] } });
  assert.deepEqual(back.flags, state.flags);
  // The restored arrays own their buffers (no aliasing of the input).
  state.params[1][0] = 42;
  assert.notEqual(back.params[1][0], 42);
  // Serialising twice gives the same text (canonical: key order of the input does not matter).
  const reordered = { rng: state.rng, iteration: 17 } as Record<string, unknown>;
  const ordered = { iteration: 17, rng: state.rng };
  assert.equal(dm.serializeState(reordered), dm.serializeState(ordered));
});

test('the file carries format, version and an FNV-1a 64 checksum of the canonical payload', () => {
  const text = dm.serializeState(sampleState());
  assert.ok(text.endsWith('}\n'));
  const doc = JSON.parse(text);
  assert.equal(doc.format, 'directed-maml-state');
  assert.equal(doc.formatVersion, dm.STATE_FORMAT_VERSION);
  assert.match(doc.checksum, /^[0-9a-f]{16}$/);
  assert.equal(doc.checksum, fnvReference(canonical(doc.payload)));
  // Published FNV-1a 64 vectors, through the same reference (guards the reference itself).
  assert.equal(fnvReference(''), 'cbf29ce484222325');
  assert.equal(fnvReference('a'), 'af63dc4c8601ec8c');
  assert.equal(fnvReference('foobar'), '85944171f73967e8');
});

test('corruption: changing any one character of the file is refused with a checkpoint: error', () => {
  const state = { iteration: 3, params: [new Float32Array([1.5, -2.25, 3e-39])], adam: { step: 3, m: [new Float32Array([0.1])] }, config: { seed: 7, algo: 'maml' } };
  const text = dm.serializeState(state).trimEnd();
  let checked = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    // A different character of the same class keeps the JSON valid more often (the hardest case).
    const replacement = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : /[a-z]/.test(c) ? (c === 'z' ? 'a' : String.fromCharCode(c.charCodeAt(0) + 1)) : /[A-Z]/.test(c) ? (c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1)) : 'x';
    const corrupt = text.slice(0, i) + replacement + text.slice(i + 1);
    assert.throws(() => dm.deserializeState(corrupt), /^Error: checkpoint: /, `change at ${i} (${c} → ${replacement}) not detected`);
    checked++;
  }
  assert.equal(checked, text.length);
  // A flip inside the payload's data is reported as a checksum mismatch specifically.
  const at = text.indexOf('"b64":"') + 9;
  const flipped = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  assert.throws(() => dm.deserializeState(flipped), /checkpoint: checksum mismatch/);
  // Truncation (a crash mid-write of a non-atomic writer) is refused.
  assert.throws(() => dm.deserializeState(text.slice(0, text.length >> 1)), /checkpoint: not valid JSON/);
  assert.throws(() => dm.deserializeState(''), /checkpoint: not valid JSON/);
});

test('another format version or format is refused naming both versions', () => {
  const text = dm.serializeState({ iteration: 1 });
  const v2 = text.replace(`"formatVersion":${dm.STATE_FORMAT_VERSION}`, `"formatVersion":${dm.STATE_FORMAT_VERSION + 1}`);
  assert.throws(() => dm.deserializeState(v2), new RegExp(`checkpoint: formatVersion is ${dm.STATE_FORMAT_VERSION + 1}; .* reads ${dm.STATE_FORMAT_VERSION}`));
  assert.throws(() => dm.deserializeState(text.replace('directed-maml-state', 'other-state')), /checkpoint: format is "other-state"/);
  assert.throws(() => dm.deserializeState('[1,2]'), /checkpoint: not a state object/);
});

test('values that cannot be stored exactly are refused with their path', () => {
  assert.throws(() => dm.serializeState({ a: { b: new Map() } }), /checkpoint: state\.a\.b is a Map/);
  assert.throws(() => dm.serializeState({ a: [1, () => 0] }), /checkpoint: state\.a\[1\] is a function/);
  assert.throws(() => dm.serializeState({ x: new BigInt64Array(1) }), /state\.x is a BigInt64Array/);
  assert.throws(() => dm.serializeState({ $typed: 'x' }), /reserved/);
});
