// scripts/headroom: adaptation headroom per task family (issue 19 item 2). For one family:
//   1. meta-train a policy (MAML by default) on the family's task distribution for `iterations`;
//   2. draw `tasks` held-out tasks (task stream seed 9001, apart from training's) and score, on each,
//      θ_0 (0-shot) … θ_k (k inner steps, each on its own fresh adaptation batch) on ONE common
//      evaluation batch (same task, same rollout seed for every j and for the oracle), so a k-shot
//      minus 0-shot difference carries no batch-difficulty term — dm.evaluateAdaptation's protocol;
//   3. per held-out task, an oracle: the same algorithm and budget trained on that one task alone
//      (every range fixed at the task), scored the same way; its θ_k (k-shot, the protocol it was
//      trained for) is the oracle return;
//   4. gap = oracle − meta k-shot per task; mean and a 95% t interval over the held-out tasks. The
//      family has "headroom" when the interval lies above 0, "no headroom" when it contains 0 —
//      unless the oracle did not learn (its return minus the untrained policy's, the same
//      initialisation scored on the same batch, has an interval containing 0): then "inconclusive
//      (budget)", since neither side learned enough to tell.
// One JSON line per family is appended to --out; --table prints the markdown table of such a file.
//   node --import tsx scripts/headroom.ts --family CartPoleFlip-v0 [--iterations 30] [--tasks 6] [--out headroom.jsonl]
//   node --import tsx scripts/headroom.ts --table headroom.jsonl
import { appendFileSync, readFileSync } from 'node:fs';
import * as dm from 'directed-maml';
import { table, type Budget, type Row } from './headroom-table';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

const BUDGETS: Record<string, Budget> = {
  'CartPole-v1': { iterations: 30, metaBatch: 8, episodes: 8, maxSteps: 200, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  'CartPoleFlip-v0': { iterations: 30, metaBatch: 8, episodes: 8, maxSteps: 200, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  'Navigation2D-v0': { iterations: 40, metaBatch: 10, episodes: 10, maxSteps: 100, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  'Intersection-v0': { iterations: 30, metaBatch: 8, episodes: 8, maxSteps: 100, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  'Intersection-v0/otherInitialSpeed': { ranges: { aggressiveness: [0, 1], otherInitialSpeed: [2, 13] }, iterations: 30, metaBatch: 8, episodes: 8, maxSteps: 100, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  // The blind intersection at the grid's Intersection budget (60 × 10 × 10), the outer rate of the rows above.
  'IntersectionOccluded-v0': { iterations: 60, metaBatch: 10, episodes: 10, maxSteps: 100, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  'LunarLander-v2': { iterations: 20, metaBatch: 4, episodes: 4, maxSteps: 200, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  'LunarLanderWind-v0': { iterations: 20, metaBatch: 4, episodes: 4, maxSteps: 200, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  // The experiment grid's LunarLander budget (50 × 10 tasks × 10 episodes, 200 steps, outer lr 0.03).
  'LunarLanderPad-v0': { iterations: 50, metaBatch: 10, episodes: 10, maxSteps: 200, hidden: [32, 32], innerLr: 0.1, outerLr: 0.03 },
  // The same at outer lr 0.01 (at 0.03, seed 1, the meta-policy came out with 0-shot = k-shot exactly: no adaptation), and at 300 steps.
  'LunarLanderPad-v0/outerLr0.01': { iterations: 50, metaBatch: 10, episodes: 10, maxSteps: 200, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
  'LunarLanderPad-v0/maxSteps300': { iterations: 50, metaBatch: 10, episodes: 10, maxSteps: 300, hidden: [32, 32], innerLr: 0.1, outerLr: 0.01 },
};

/**
 * θ_0 … θ_k of `theta` on `task`, each scored on the common evaluation batch: the library's own
 * k-shot evaluation (dm.evaluateAdaptation: the evaluation batch's rollout seed is the same for
 * every j, each inner step on its own fresh adaptation batch), as the experiment's held-out cells use.
 */
async function curve(policy: dm.Policy, family: dm.TaskFamily, task: Float32Array, theta: Float32Array, o: { k: number; episodes: number; evalEpisodes: number; innerLr: number; maxSteps: number; seed: number }): Promise<number[]> {
  policy.setFlat(theta);
  return dm.evaluateAdaptation(policy, family, task, {
    steps: o.k, episodes: o.episodes, evaluationEpisodes: o.evalEpisodes, innerLr: o.innerLr, maxSteps: o.maxSteps, seed: o.seed, gamma: 0.99, lambda: 1.0,
  });
}

async function train(env: string, ranges: dm.TaskRanges | undefined, b: Budget, algo: string, seed: number, run = b.iterations): Promise<{ policy: dm.Policy; theta: Float32Array; trainer: dm.Trainer }> {
  const trainer = new dm.Trainer({ env, ranges, algo, iterations: b.iterations, metaBatch: b.metaBatch, episodes: b.episodes, maxSteps: b.maxSteps,
    hidden: b.hidden, activation: 'tanh', innerLr: b.innerLr, outerLr: b.outerLr, seed, workers: 1 } as dm.TrainerOptions);
  for await (const _ of trainer.run(run)) { /* train */ }
  return { policy: trainer.policy, theta: trainer.getState().theta.slice(), trainer };
}

const tableFile = flag('table');
if (tableFile) {
  console.log(table(readFileSync(tableFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row)));
} else {
  const name = flag('family', 'CartPoleFlip-v0')!;
  const base = BUDGETS[name];
  if (!base) throw new Error(`--family: one of ${Object.keys(BUDGETS).join(', ')}`);
  const budget: Budget = { ...base, iterations: Number(flag('iterations', String(base.iterations))) };
  const env = name.split('/')[0];
  const algo = flag('algo', 'maml')!;
  const k = Number(flag('k', '3'));
  const numTasks = Number(flag('tasks', '6'));
  const evalEpisodes = Number(flag('eval-episodes', '20'));
  const seed = Number(flag('seed', '1'));
  const out = flag('out', 'headroom.jsonl')!;
  await dm.init();
  const started = Date.now();
  const family = dm.taskFamily(env, budget.ranges);
  const tasks = family.sample(numTasks, { seed: 9001 });
  const P = family.numParams;
  const opts = { k, episodes: budget.episodes, evalEpisodes, innerLr: budget.innerLr, maxSteps: budget.maxSteps };
  const log = (s: string) => console.log(`[${name} ${((Date.now() - started) / 1000).toFixed(0)} s] ${s}`);
  const meta = await train(env, budget.ranges, budget, algo, seed, 0); // the initialisation every run starts from
  const untrained: number[] = [];
  for (let i = 0; i < numTasks; i++) untrained.push((await curve(meta.policy, family, tasks.slice(i * P, (i + 1) * P), meta.theta, { ...opts, k: 0, seed: 100 + i }))[0]);
  meta.trainer.dispose();
  const trained = await train(env, budget.ranges, budget, algo, seed);
  const metaCurves: number[][] = [], oracleCurves: number[][] = [];
  for (let i = 0; i < numTasks; i++) {
    const task = tasks.slice(i * P, (i + 1) * P);
    metaCurves.push(await curve(trained.policy, family, task, trained.theta, { ...opts, seed: 100 + i }));
    log(`meta, task ${i} (${[...task].map((v) => v.toFixed(2)).join(', ')}): ${metaCurves[i].map((v) => v.toFixed(1)).join(' → ')}`);
  }
  trained.trainer.dispose();
  for (let i = 0; i < numTasks; i++) {
    const task = tasks.slice(i * P, (i + 1) * P);
    const fixed = Object.fromEntries(family.paramNames.map((n, p) => [n, task[p]]));
    const oracle = await train(env, fixed, budget, algo, seed);
    oracleCurves.push(await curve(oracle.policy, family, task, oracle.theta, { ...opts, seed: 100 + i }));
    oracle.trainer.dispose();
    log(`oracle, task ${i}: ${oracleCurves[i].map((v) => v.toFixed(1)).join(' → ')}`);
  }
  const row: Row = { family: name, algo, budget, k, tasks: numTasks, evalEpisodes, meta: metaCurves, oracle: oracleCurves, untrained, seconds: (Date.now() - started) / 1000 };
  appendFileSync(out, `${JSON.stringify(row)}\n`);
  console.log(table([row]));
}
