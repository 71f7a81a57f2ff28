// The meta-gradient of one task: dm.metaGradient with engine 'wasm' (assembly/metagrad.ts,
// Hessian-vector products through the SIMD MLP passes) against engine 'tfjs' (tf.grads through
// dm.adapt, tfjs wasm backend), in the same process, on the same rows.
//
// The rows: CartPole-v1 tasks at the training defaults (20 episodes of ≤ 200 steps before and
// after one inner step, the initial policy), advantages from dm.estimateAdvantages. Per task we
// time order-2 MAML on both engines, and, for reference, what FOMAML costs in the meta-step
// (dm.policyGradient at θ' on the outer rows: ∂θ'/∂θ = I). Calls alternate after a warm-up;
// medians over tasks × runs, of wall time and of the process's CPU time per call (both engines
// run on one thread in Node; CPU time leaves out the time the process waits for a core, which
// on a loaded machine is most of the noise). The engines' results are compared once per task
// before timing.
// Then µs per env-step (inner + outer rows) for hidden widths 32, 64, 128, 256 ([w, w] tanh).
//
// Run: npm run build && node --import tsx bench/metagrad.ts   (BENCH_RUNS, BENCH_TASKS to change the counts)
import * as dm from 'directed-maml';
import { stats } from './common';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TASKS = Number(process.env.BENCH_TASKS ?? 4);
const WIDTHS = [32, 64, 128, 256];
const ADVANTAGE = { gamma: 0.99, lambda: 1.0 };

interface TaskRows { inner: dm.RowBatch; outer: dm.RowBatch; adapted: Float32Array; post: dm.Trajectories; postAdvantages: dm.Advantages }

function taskRows(family: dm.TaskFamily, policy: dm.Policy, seed: number): TaskRows[] {
  const theta = policy.getFlat();
  const tasks = family.sample(TASKS, { seed });
  const pre = dm.rollout(family, policy, tasks, { episodes: 20, maxSteps: 200, seed: seed + 1 });
  return Array.from({ length: TASKS }, (_, i) => {
    const preTask = pre.task(i);
    const preAdvantages = dm.estimateAdvantages(preTask, ADVANTAGE);
    const adapted = dm.innerAdaptFlat(policy, preTask, theta, 0.1, 1, ADVANTAGE, preAdvantages);
    const post = dm.rollout(family, policy, tasks.subarray(i * family.numParams, (i + 1) * family.numParams), {
      episodes: 20, maxSteps: 200, seed: seed + 2 + i, weights: adapted });
    const postAdvantages = dm.estimateAdvantages(post, ADVANTAGE);
    const rows = (t: dm.Trajectories, a: dm.Advantages): dm.RowBatch => ({ obs: t.obs, actions: t.actions, advantages: a.advantages, weights: a.weights });
    return { inner: rows(preTask, preAdvantages), outer: rows(post, postAdvantages), adapted, post, postAdvantages };
  });
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / den);
}

interface Times { wall: number[]; cpu: number[] }

/** Milliseconds (wall and CPU) of each call, alternating between the functions, after one warm-up round. */
function timeAlternating(fns: Record<string, (task: TaskRows) => void>, tasks: TaskRows[], runs: number): Record<string, Times> {
  const ms: Record<string, Times> = Object.fromEntries(Object.keys(fns).map((k) => [k, { wall: [], cpu: [] }]));
  for (let run = 0; run <= runs; run++) {
    for (const task of tasks) {
      for (const [name, fn] of Object.entries(fns)) {
        const cpu0 = process.cpuUsage(), t0 = performance.now();
        fn(task);
        const wall = performance.now() - t0, cpu = process.cpuUsage(cpu0);
        if (run > 0) {
          ms[name].wall.push(wall);
          ms[name].cpu.push((cpu.user + cpu.system) / 1000);
        }
      }
    }
  }
  return ms;
}

async function main(): Promise<void> {
  await dm.init({ backend: 'wasm' });
  const family = dm.taskFamily('CartPole-v1');
  const order2 = { innerLr: 0.1, innerSteps: 1, order: 2 as const };

  // 1. The defaults: [64, 64] tanh.
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [64, 64], activation: 'tanh', seed: 0 });
  const tasks = taskRows(family, policy, 11);
  const rowsPerTask = tasks.map((t) => t.inner.actions.length + t.outer.actions.length);
  console.log(`bench/metagrad: CartPole-v1, [64, 64] tanh, ${policy.numParams} parameters, ${TASKS} tasks of 20 + 20 episodes (≤ 200 steps), ` +
    `inner + outer rows per task ${Math.min(...rowsPerTask)}–${Math.max(...rowsPerTask)}; MAML order 2, α = 0.1, k = 1; ${RUNS} runs after a warm-up`);
  let worst = 0;
  for (const t of tasks) {
    const w = dm.metaGradient(policy, t, { ...order2, engine: 'wasm' }), f = dm.metaGradient(policy, t, { ...order2, engine: 'tfjs' });
    worst = Math.max(worst, relativeError(w.theta, f.theta));
  }
  console.log(`  agreement: max over tasks of ‖g_wasm − g_tfjs‖ / ‖g_tfjs‖ = ${worst.toExponential(2)}`);
  const ms = timeAlternating({
    wasm: (t) => dm.metaGradient(policy, t, { ...order2, engine: 'wasm' }),
    tfjs: (t) => dm.metaGradient(policy, t, { ...order2, engine: 'tfjs' }),
    fomaml: (t) => dm.policyGradient(policy, t.post, { weights: t.adapted, advantages: t.postAdvantages }),
  }, tasks, RUNS);
  const wall = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, stats(v.wall)]));
  const cpu = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, stats(v.cpu)]));
  const f = (x: number) => x.toFixed(2).padStart(7);
  const line = (name: string, key: string) => console.log(`  ${name.padEnd(50)} wall min ${f(wall[key].min)}  median ${f(wall[key].median)}  max ${f(wall[key].max)} ms;  CPU median ${f(cpu[key].median)} ms`);
  line("dm.metaGradient, engine 'wasm' (order 2)", 'wasm');
  line("dm.metaGradient, engine 'tfjs' (order 2, baseline)", 'tfjs');
  line("FOMAML in the meta-step: dm.policyGradient at θ'", 'fomaml');
  for (const [label, s] of [['wall', wall], ['CPU', cpu]] as const) {
    console.log(`  ratio of ${label} medians: tfjs / wasm ${(s.tfjs.median / s.wasm.median).toFixed(1)}x;  wasm order 2 / FOMAML's gradient ${(s.wasm.median / s.fomaml.median).toFixed(2)}x`);
  }
  policy.dispose();

  // 2. µs per env-step (inner + outer rows of a task) by hidden width.
  console.log('  µs per env-step of one task\'s order-2 meta-gradient, [w, w] tanh (medians, wall | CPU):');
  for (const width of WIDTHS) {
    const p = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [width, width], activation: 'tanh', seed: 0 });
    const rows = taskRows(family, p, 23);
    const steps = rows.reduce((n, t) => n + t.inner.actions.length + t.outer.actions.length, 0) / rows.length;
    const runs = width >= 128 ? Math.max(1, Math.ceil(RUNS / 2)) : RUNS;
    const perStep = (times: number[], task: TaskRows[]) => {
      // Each time is one call on one task: divide by that task's rows.
      const n = task.map((t) => t.inner.actions.length + t.outer.actions.length);
      return stats(times.map((x, i) => (1000 * x) / n[i % n.length])).median;
    };
    const t = timeAlternating({
      wasm: (r) => dm.metaGradient(p, r, { ...order2, engine: 'wasm' }),
      tfjs: (r) => dm.metaGradient(p, r, { ...order2, engine: 'tfjs' }),
    }, rows, runs);
    const [ww, wc, tw, tc] = [perStep(t.wasm.wall, rows), perStep(t.wasm.cpu, rows), perStep(t.tfjs.wall, rows), perStep(t.tfjs.cpu, rows)];
    console.log(`    width ${String(width).padStart(3)} (${String(p.numParams).padStart(5)} parameters, ${steps.toFixed(0)} rows/task):  ` +
      `wasm ${ww.toFixed(2).padStart(6)} | ${wc.toFixed(2).padStart(6)} µs   tfjs ${tw.toFixed(1).padStart(6)} | ${tc.toFixed(1).padStart(6)} µs   ratio ${(tw / ww).toFixed(1)}x | ${(tc / wc).toFixed(1)}x`);
    p.dispose();
  }
}

await main();
