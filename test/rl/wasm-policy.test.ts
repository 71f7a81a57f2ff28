// The WASM policy forward (assembly/policy.ts via dm.wasmForward) against tfjs's forward of the
// same parameters (policy.logits and dm.logSoftmax), and both against a float64 re-derivation
// (test/nn/mlp-reference.ts). Architectures include odd widths, so the padding of every layer to
// whole f32x4 vectors is exercised, a linear policy (no hidden layer) and the default [64, 64].
//
// Criterion, per element with a floor: |wasm − tfjs| ≤ 1e-5 · max(|tfjs|, 1). The floor of 1 keeps
// the test meaningful for values near zero, where a purely relative error is undefined; logits
// and log-probs of these policies are O(1), so this is a ≤ 1e-5 relative bound where it matters.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { logits64, logSoftmax64, splitFlat, testRandom, type Act } from '../nn/mlp-reference';

const tf = dm.tf;
const TOLERANCE = 1e-5;

before(async () => { await dm.init(); });

interface Arch { obsDim: number; hidden: number[]; numActions: number }

const ARCHITECTURES: Arch[] = [
  { obsDim: 3, hidden: [5, 7], numActions: 3 },   // every layer padded (3 → 4, 5 → 8, 7 → 8, 3 → 4)
  { obsDim: 4, hidden: [64, 64], numActions: 2 }, // the library default on CartPole
  { obsDim: 5, hidden: [], numActions: 4 },       // linear policy
  { obsDim: 1, hidden: [1, 9, 2], numActions: 5 }, // widths 1 and 9: one real unit in a vector, one past a multiple of 4
];

/** A seeded policy whose biases are non-zero too (createPolicy zeroes them), so bias handling is tested. */
function makePolicy(arch: Arch, activation: Act, seed: number): dm.Policy {
  const policy = dm.createPolicy({ ...arch, activation, seed });
  const r = testRandom(seed + 77);
  const flat = policy.getFlat();
  let offset = 0;
  for (let l = 0; l + 1 < policy.layerSizes.length; l++) {
    offset += policy.layerSizes[l] * policy.layerSizes[l + 1];
    for (let j = 0; j < policy.layerSizes[l + 1]; j++) flat[offset + j] = Math.fround(r() - 0.5);
    offset += policy.layerSizes[l + 1];
  }
  policy.setFlat(flat);
  return policy;
}

/** Observations spanning small and large inputs (tanh's polynomial and exponential branches, relu's kink). */
function makeObs(n: number, obsDim: number, seed: number): Float32Array {
  const r = testRandom(seed);
  return Float32Array.from({ length: n * obsDim }, (_, i) => Math.fround((i % 7 === 0 ? 6 : 1.5) * (2 * r() - 1)));
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = TOLERANCE): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(Number.isFinite(actual[i]) && error <= tolerance * Math.max(Math.abs(expected[i]), 1),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]} (error ${error.toExponential(2)})`);
  }
}

for (const activation of ['tanh', 'relu'] as const) {
  for (const arch of ARCHITECTURES) {
    const name = `${activation} ${arch.obsDim}-${[...arch.hidden, arch.numActions].join('-')}`;
    test(`WASM logits and log-probs equal tfjs's: ${name}`, () => {
      const policy = makePolicy(arch, activation, 5);
      const n = 203; // not a multiple of 4 or of any block size
      const obs = makeObs(n, arch.obsDim, 9);
      const wasmOut = dm.wasmForward(policy, obs);
      const [logits, logProbs] = tf.tidy(() => {
        const z = policy.logits(policy.params, tf.tensor2d(obs, [n, arch.obsDim]));
        return [z.dataSync() as Float32Array, dm.logSoftmax(z).dataSync() as Float32Array];
      });
      assertClose(wasmOut.logits, logits, `${name} logits`);
      assertClose(wasmOut.logProbs, logProbs, `${name} log-probs`);
      // Both against float64: guards against WASM and tfjs sharing a layout mistake.
      const params64 = splitFlat(policy.getFlat(), policy.layerSizes);
      const z64 = logits64(params64, Float64Array.from(obs), n, activation);
      assertClose(wasmOut.logits, z64, `${name} logits vs float64`);
      assertClose(wasmOut.logProbs, logSoftmax64(z64, n, arch.numActions), `${name} log-probs vs float64`);
      // Rows are probability distributions.
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let a = 0; a < arch.numActions; a++) sum += Math.exp(wasmOut.logProbs[i * arch.numActions + a]);
        assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} probabilities sum to ${sum}`);
      }
      policy.dispose();
    });
  }
}

test('wasmForward evaluates the weights it is given, not the policy\'s own', () => {
  const arch = ARCHITECTURES[0];
  const policy = makePolicy(arch, 'tanh', 5);
  const other = makePolicy(arch, 'tanh', 6);
  const obs = makeObs(16, arch.obsDim, 3);
  const viaWeights = dm.wasmForward(policy, obs, other.getFlat());
  const direct = dm.wasmForward(other, obs);
  assert.deepEqual(viaWeights.logits, direct.logits);
  const own = dm.wasmForward(policy, obs);
  assert.ok(own.logits.some((v, i) => v !== direct.logits[i]), 'different weights give different logits');
  policy.dispose();
  other.dispose();
});
