// Learning on Navigation2D-v0 (the MAML paper's 2D navigation: the goal is not observed, only the
// inner step can find it). At a CI-sized budget, MAML and FOMAML meta-train a Gaussian policy whose
// one-step adaptation gets far closer to held-out goals than the same policy before adaptation,
// and than the untrained policy after adaptation. Negative control: adapting with α = 0 (the inner
// step switched off) leaves no gap. Fixed seeds; returns are −Σ distance over ≤ 100 steps.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const ITERATIONS = 40;
const HELD_OUT = 8;

/** Mean over held-out goals of the return before and after one adaptation step with rate α. */
async function heldOut(policy: dm.Policy, family: dm.TaskFamily, innerLr: number): Promise<{ pre: number; post: number }> {
  const tasks = family.sample(HELD_OUT, { seed: 4242 });
  let pre = 0, post = 0;
  for (let i = 0; i < HELD_OUT; i++) {
    const [r0, r1] = await dm.evaluateAdaptation(policy, family, tasks.subarray(2 * i, 2 * i + 2), { steps: 1, episodes: 20, innerLr, seed: 7 + i, maxSteps: 100 });
    pre += r0 / HELD_OUT;
    post += r1 / HELD_OUT;
  }
  return { pre, post };
}

// The smallest adaptation gap accepted on held-out goals (measured at this budget: MAML 18.5, FOMAML 8.5).
const MARGIN = { maml: 10, fomaml: 5 };

for (const algo of ['maml', 'fomaml'] as const) {
  test(`${algo} on Navigation2D-v0: after ${ITERATIONS} iterations, one inner step finds held-out goals (post far above pre); α = 0 gives no gap`, async () => {
    const family = dm.taskFamily('Navigation2D-v0');
    const trainer = new dm.Trainer({ env: 'Navigation2D-v0', algo, metaBatch: 10, episodes: 20, maxSteps: 100, innerLr: 0.1, outerLr: 0.01, hidden: [32, 32], seed: 3 } as dm.TrainerOptions);
    try {
      const initial = await heldOut(trainer.policy, family, 0.1);
      for await (const _ of trainer.run(ITERATIONS)) { /* train */ }
      const trained = await heldOut(trainer.policy, family, 0.1);
      const control = await heldOut(trainer.policy, family, 0);
      console.log(`${algo}: untrained pre ${initial.pre.toFixed(1)} post ${initial.post.toFixed(1)}; trained pre ${trained.pre.toFixed(1)} post ${trained.post.toFixed(1)}; α = 0: pre ${control.pre.toFixed(1)} post ${control.post.toFixed(1)}`);
      assert.ok(trained.post - trained.pre > MARGIN[algo], `adaptation gap ${(trained.post - trained.pre).toFixed(1)} <= ${MARGIN[algo]}`);
      assert.ok(trained.post - initial.post > 50, `meta-training gained ${(trained.post - initial.post).toFixed(1)} <= 50 after adaptation`);
      assert.ok(Math.abs(control.post - control.pre) < 2, `α = 0 leaves a gap of ${(control.post - control.pre).toFixed(1)}`);
    } finally {
      trainer.dispose();
    }
  });
}
