// The labels of scripts/headroom.ts (scripts/headroom-table.ts) on constructed rows, and its t
// interval against a hand-worked one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headroomLabel, interval } from '../../scripts/headroom-table';

/** A row with k = 1: per task, meta [0-shot, k-shot] and oracle [θ_0, θ_k]. */
const row = (metaK: number[], oracleK: number[], untrained: number[]) => ({
  k: 1, meta: metaK.map((m) => [m, m]), oracle: oracleK.map((o) => [o, o]), untrained,
});

test('t interval: mean and half-width for n = 4 (t(3) = 3.182) by hand', () => {
  const { mean, half } = interval([1, 2, 3, 4]);
  assert.equal(mean, 2.5);
  // s = sqrt(5/3) = 1.29099; half = 3.182 · 1.29099 / 2
  assert.ok(Math.abs(half - 3.182 * Math.sqrt(5 / 3) / 2) < 1e-12, String(half));
});

test('labels: a clear gap is headroom; a tie at the ceiling and a gap within noise are not; no learning is inconclusive', () => {
  const low = [20, 22, 19, 21, 20, 23];
  assert.equal(headroomLabel(row([30, 35, 28, 40, 33, 31], [200, 200, 199, 200, 200, 198], low)), 'headroom');
  assert.equal(headroomLabel(row([200, 200, 200, 200, 200, 200], [200, 200, 200, 200, 200, 200], low)), 'no headroom'); // a tie at the ceiling
  assert.equal(headroomLabel(row([100, 110, 95, 105, 98, 102], [105, 105, 98, 103, 102, 96], low)), 'no headroom'); // the gap's interval contains 0
  assert.equal(headroomLabel(row([21, 20, 22, 19, 20, 22], [22, 19, 21, 20, 21, 22], low)), 'inconclusive (budget)'); // the oracles learned nothing
  // A gap of 0 on half the tasks and 100 on the others: mean 50 ± 92, not headroom.
  assert.equal(headroomLabel(row([0, 100, 0, 100], [0, 200, 0, 200], [-500, -500, -500, -500])), 'no headroom');
});
