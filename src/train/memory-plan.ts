// The WASM memory budget of a workload (a training run, an adaptation): what it needs of the
// module's linear memory and of the tfjs backend's, checked before anything is allocated so that a
// user gets one ConfigError naming the flag to lower instead of a WASM abort. Apart from the schema
// (./config.ts), which depends on nothing above envs/: this file needs the meta-learners' sizes.
import { ConfigError } from '../errors';
import { MAX_ROLLOUT_COUNT } from '../core/defaults';
import { envIds } from '../envs/registry';
import { actionWidth, headFor, headOutputs, headParamCount } from '../nn/head';
import { secondOrderBytes } from '../meta/meta-gradient';
import { baseAlgorithm, differentiatesAdaptation } from '../meta/algorithms';
import { wasmMemoryPlan, envDims, mlpParamCount, wasmBlockLimitBytes, formatBytes, WASM_MEMORY_BUDGET_BYTES, type MemoryPart, type RolloutShape, type WasmMemoryPlan } from '../rl/memory';
import { defaultConfig, type TrainConfig } from './config';

// ---- Limits of the WASM memory (need the module loaded: sizes and dimensions come from it).

/**
 * The rollout shapes and weight sets one training run uses (src/meta/meta-step.ts): every rollout
 * is of one task with one weight set (runTask samples task i's D_i at θ and D'_i at θ'_i; the
 * directed step samples the medium task), so the shape does not grow with metaBatch.
 */
export function trainingRollouts(c: TrainConfig): { rollouts: RolloutShape[]; weightSets: number[] } {
  return { rollouts: [{ numTasks: 1, episodes: c.episodes, maxSteps: c.maxSteps }], weightSets: [1] };
}

/**
 * The memory a training run of this config needs: the module's (rollouts, policy, and the wasm
 * engine's meta-gradient workspace), the per-task meta-gradients an iteration holds until it sums
 * them in task order, and (second order on the tfjs engine and wasm backend) the tfjs backend's,
 * whose graph holds one task's batches at a time.
 */
export function trainingMemory(c: TrainConfig): WasmMemoryPlan {
  const { rollouts, weightSets } = trainingRollouts(c);
  const env = envDims(c.env);
  const algo = baseAlgorithm(c.algo);
  const head = headFor(env);
  const numParams = mlpParamCount([env.obsDim, ...c.hidden, headOutputs(head)]) + headParamCount(head);
  const extra: MemoryPart[] = [];
  let tfjs = 0;
  if (differentiatesAdaptation(algo)) {
    if (c.gradEngine === 'wasm') {
      // assembly/metagrad.ts metaGradCreate: θ_0..θ_k, g_0..g_{k-1}, α, v, u, ∇α (one set each);
      // src/meta/meta-gradient.ts copies in the inner and outer rows (obs, action, advantage, weight).
      const sets = 2 * c.innerSteps + 5;
      extra.push({ what: `meta-gradient workspace (${sets} × ${numParams} parameters)`, total: sets * numParams * 4, largest: (c.innerSteps + 1) * numParams * 4 });
      const rows = 2 * c.episodes * c.maxSteps * (env.obsDim + 2 + actionWidth(head)) * 4;
      extra.push({ what: `meta-gradient rows (2 × ${c.episodes * c.maxSteps} steps)`, total: rows, largest: rows });
    } else if (c.backend === 'wasm') {
      tfjs = secondOrderBytes(c.episodes * c.maxSteps, [env.obsDim, ...c.hidden, headOutputs(head)], c.innerSteps);
    }
  }
  // One meta-gradient per task (and ∇α for Meta-SGD) waits for the in-order sum of finishIteration.
  const perTask = numParams * 4 * (algo.learnInnerLr ? 2 : 1);
  extra.push({ what: `per-task meta-gradients (${c.metaBatch} × ${numParams} parameters)`, total: c.metaBatch * perTask, largest: perTask });
  const plan = wasmMemoryPlan(env, c, rollouts, weightSets, extra);
  plan.tfjs = tfjs;
  return plan;
}

/** The largest value v of a monotone predicate ok(v) in [lo, hi] (ok(lo) assumed), by bisection. */
function largestOk(lo: number, hi: number, ok: (v: number) => boolean): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const fits = (plan: WasmMemoryPlan): boolean =>
  plan.largest.largest <= wasmBlockLimitBytes() && plan.total <= WASM_MEMORY_BUDGET_BYTES && plan.tfjs <= WASM_MEMORY_BUDGET_BYTES;

/**
 * The WASM memory checks of a workload: no buffer at or above the allocator's block limit, and
 * everything within WASM_MEMORY_BUDGET_BYTES. `counts` are the workload's sizes as the command
 * names them (its flags or fields: episodes, maxSteps last); `plan(values)` is the workload with
 * those counts. Throws one ConfigError naming the count that is too large and the largest value
 * that fits with the others as given — maxSteps first, then the others — or, when every count at 1
 * still does not fit, metaBatch × hidden (`copies`: one meta-gradient per task) or `policyField` (the
 * policy's size: the hidden field, or where an adapting command's policy comes from).
 */
export function checkWasmMemory(env: string, hidden: readonly number[], counts: ReadonlyArray<readonly [string, number]>,
  plan: (values: readonly number[]) => WasmMemoryPlan,
  copies?: { metaBatch: number; plan: (metaBatch: number) => WasmMemoryPlan },
  policyField = 'hidden'): void {
  const values = counts.map(([, v]) => v);
  const p = plan(values);
  if (fits(p)) return;
  const blockLimit = wasmBlockLimitBytes();
  const within = (q: WasmMemoryPlan) => {
    if (q.largest.largest > blockLimit) {
      const need = formatBytes(q.largest.largest);
      return `no buffer of ${formatBytes(blockLimit)} or more (the ${q.largest.what} needs ${need === formatBytes(blockLimit) ? `${q.largest.largest} bytes` : need})`;
    }
    if (q.total > WASM_MEMORY_BUDGET_BYTES) return `${formatBytes(WASM_MEMORY_BUDGET_BYTES)} of WASM memory (this needs ${formatBytes(q.total)})`;
    return `${formatBytes(WASM_MEMORY_BUDGET_BYTES)} of the tfjs backend's WASM memory for one task's second-order gradient (this needs about ${formatBytes(q.tfjs)})`;
  };
  const must = `a run on ${env} must fit ${within(p)}`;
  const withValue = (i: number, v: number) => values.map((x, j) => (j === i ? v : x));
  // One count lowered, the others as given: maxSteps (the last) first.
  for (let i = counts.length - 1; i >= 0; i--) {
    if (!fits(plan(withValue(i, 1)))) continue;
    const largest = largestOk(1, values[i], (v) => fits(plan(withValue(i, v))));
    const [name] = counts[i];
    if (i === counts.length - 1 && counts.length > 1) {
      // As before: the product of the steps, and the largest maxSteps.
      const field = counts.map(([n]) => n).join(' × ');
      const value = `${values.join(' × ')} = ${values.reduce((prod, v) => prod * v, 1)} steps`;
      throw new ConfigError(field, value, `maxSteps <= ${largest} with the other values as given: ${must}`);
    }
    throw new ConfigError(name, values[i], `at most ${largest} with the other values as given: ${must}`);
  }
  const ones = values.map(() => 1);
  if (fits(plan(ones))) {
    const field = counts.map(([n]) => n).join(' × ');
    throw new ConfigError(field, values.join(' × '), `smaller values of each: ${must}`);
  }
  // Even one step of one episode does not fit: the policy's copies (one per task) are too big.
  const smallest = plan(ones);
  const maxBatch = copies && fits(copies.plan(1)) ? largestOk(1, copies.metaBatch, (b) => fits(copies.plan(b))) : 0;
  if (copies && maxBatch > 0) {
    throw new ConfigError('metaBatch × hidden', `${copies.metaBatch} × [${hidden.join(', ')}]`,
      `at most ${maxBatch} tasks with this policy, or a smaller policy (one iteration holds a meta-gradient per task): a run on ${env} must fit ${within(smallest)}`);
  }
  const steps = smallest.largest.what.startsWith('meta-gradient workspace') ? ' (or fewer innerSteps)' : '';
  throw new ConfigError(policyField, policyField === 'hidden' ? hidden : `hidden [${hidden.join(', ')}]`, `a smaller policy${steps}: a run on ${env} must fit ${within(smallest)}`);
}

/** checkWasmMemory for a training run of this config (the trainer calls it before allocating). */
export function checkTrainingMemory(c: TrainConfig): void {
  // Every rollout is one task's (runTask), so its size is episodes × maxSteps; metaBatch enters
  // through the per-task meta-gradients (the `copies` check).
  checkWasmMemory(c.env, c.hidden, [['episodes', c.episodes], ['maxSteps', c.maxSteps]],
    ([episodes, maxSteps]) => trainingMemory({ ...c, episodes, maxSteps }),
    { metaBatch: c.metaBatch, plan: (metaBatch) => trainingMemory({ ...c, metaBatch, episodes: 1, maxSteps: 1 }) });
}

/**
 * Adapting a policy on one task at a time (`dmaml adapt`, held-out evaluation): each rollout is
 * `episodes` × `maxSteps` steps of one task and one weight set. `names`: how errors name the two
 * counts (the flag's field, or the grid entry that set it); `policyField`: where the policy comes
 * from (adapt and evaluate: --checkpoint; hidden is not one of their flags).
 */
export function checkAdaptMemory(c: TrainConfig, episodes: number, maxSteps: number, names: readonly [string, string] = ['episodes', 'maxSteps'], policyField = '--checkpoint'): void {
  checkWasmMemory(c.env, c.hidden, [[names[0], episodes], [names[1], maxSteps]],
    ([e, t]) => wasmMemoryPlan(envDims(c.env), c, [{ numTasks: 1, episodes: e, maxSteps: t }], [1]), undefined, policyField);
}

/** The WASM memory limits as --help states them, computed from the module for every env. */
export function memoryLimitsHelp(): string {
  const lines = [
    `Limits of the WASM memory (checked before anything is written): no single buffer of ${formatBytes(wasmBlockLimitBytes())} or more,`,
    `and at most ${formatBytes(WASM_MEMORY_BUDGET_BYTES)} in all (wasm32 memory is 4 GiB; the rest is a margin). One iteration holds`,
    'episodes × maxSteps steps of one task\'s rollouts twice (the workspace and its copy), and one meta-gradient per task;',
    'second-order algorithms (maml, meta-sgd) also hold 2k + 5 copies of the parameters (k inner steps) and one task\'s rows:',
  ];
  const d = defaultConfig();
  for (const env of envIds()) {
    const base = { ...d, env, ranges: undefined } as unknown as TrainConfig;
    const maxFor = (c: TrainConfig) => largestOk(1, MAX_ROLLOUT_COUNT, (t) => fits(trainingMemory({ ...c, maxSteps: t })));
    const fo = { ...base, algo: 'directed-fomaml', directedLr: undefined, directedVariant: undefined, directedSchedule: undefined } as unknown as TrainConfig;
    const small = { ...fo, metaBatch: 2, episodes: 2 };
    lines.push(`  ${env}, hidden ${d.hidden.join(',')}: maxSteps <= ${maxFor(base)} at metaBatch ${d.metaBatch}, episodes ${d.episodes} (${d.algo}); <= ${maxFor(fo)} (directed-fomaml); <= ${maxFor(small)} at metaBatch 2, episodes 2 (directed-fomaml)`);
  }
  return lines.join('\n');
}
