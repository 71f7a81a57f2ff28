// Learning on LunarLander-v2 (issue 9, item 6): directed-fomaml with fixed seeds and a small budget
// (15 meta-iterations of 8 tasks × 8 episodes of at most 200 steps, a [32, 32] policy: about 10 s
// per run here). LunarLander learns slowly; what this budget shows is the first, clear phase of it:
// the untrained policy crashes at about −200 to −260, and the meta-trained one, adapted to a task
// with one inner step, loses far less. The margin: the mean post-adaptation return of the last
// three iterations must exceed the first iteration's by 80 (measured: +140 and +154). The same run
// with the meta-update switched off (outer learning rate 1e-12, no directed step; Adam moves θ by
// about 1e-11) must not: it stays within noise of its start (measured: −11).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const MARGIN = 80;
const ITERATIONS = 15;

async function rise(seed: number, overrides: Partial<dm.TrainConfig> = {}): Promise<{ first: number; last: number }> {
  const trainer = new dm.Trainer({
    env: 'LunarLander-v2', algo: 'directed-fomaml', metaBatch: 8, episodes: 8, maxSteps: 200, hidden: [32, 32],
    outerLr: 3e-3, seed, ...overrides,
  });
  const post: number[] = [];
  for await (const m of trainer.run(ITERATIONS)) post.push(m.postReturn);
  trainer.dispose();
  const last = (post[ITERATIONS - 3] + post[ITERATIONS - 2] + post[ITERATIONS - 1]) / 3;
  console.log(`# seed ${seed}${Object.keys(overrides).length ? ' (meta-update off)' : ''}: first ${post[0].toFixed(1)}, last three ${last.toFixed(1)}`);
  return { first: post[0], last };
}

test(`directed-fomaml on LunarLander-v2: post-adaptation return rises by more than ${MARGIN} in ${ITERATIONS} iterations`, async () => {
  for (const seed of [1, 2]) {
    const { first, last } = await rise(seed);
    assert.ok(last > first + MARGIN, `seed ${seed}: first ${first.toFixed(1)}, last three ${last.toFixed(1)}`);
  }
});

test('the same run with the meta-update switched off does not rise by the margin', async () => {
  const { first, last } = await rise(1, { outerLr: 1e-12, directedSchedule: 'first:0' });
  assert.ok(last <= first + MARGIN, `without meta-updates: first ${first.toFixed(1)}, last three ${last.toFixed(1)}`);
});
