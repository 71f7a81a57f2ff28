// dm.metaGradient: the meta-gradient of one task on plain arrays, evaluated at the policy's
// current parameters θ:
//   ∇_{θ,α} L_out(θ_k; D′),  θ_0 = θ,  θ_{j+1} = θ_j − α ⊙ ∇L_in(θ_j; D)  (k = innerSteps)
// with L = −Σ w·log π(a|s)·A / Σ w (weights default to 1) and L_in the 'naive' or 'lvc' surrogate
// (dm.reinforceLoss). Two engines compute the same quantity:
//   'wasm' — assembly/metagrad.ts: Hessian-vector products by forward-over-reverse
//            differentiation through the SIMD MLP passes (built-in MLP policies only);
//   'tfjs' — tf.grads through dm.adapt: any `logits` function, any tfjs backend (webgl), and the
//            oracle the tests hold the kernel against.
import { tf } from '../core/backend';
import { wasm, wasmConst, Scratch } from '../core/wasm';
import { ConfigError } from '../errors';
import { DEFAULTS, GRAD_ENGINES, type GradEngine } from '../core/defaults';
import { reinforceLoss, type Estimator, type ReinforceBatch } from '../nn/loss';
import { Policy, flattenTensors } from '../nn/policy';
import { wasmMlp, shapeOf, mlpMemoryBytes } from '../rl/wasm-policy';
import { mlpParamCount, wasmBlockLimitBytes, formatBytes, WASM_MEMORY_BUDGET_BYTES } from '../rl/memory';
import { differentiatesAdaptation } from './algorithms';
import { adapt } from './adapt';
import { actionWidth, actionsTensor, checkActions, headOutputs, type Actions } from '../nn/head';
import { checkEstimator, checkInnerLr, checkInnerSteps, checkOrder } from './inner-options';

export { GRAD_ENGINES, type GradEngine };

/** Rows of one batch: n observations, the actions taken, their advantages and optional weights. */
export interface RowBatch {
  /** n × obsDim, row-major. */
  obs: Float32Array;
  /** n action indices in [0, numActions) (Int32Array), or for a Gaussian head n x actionSize floats (Float32Array, row-major). */
  actions: Actions;
  /** n advantages (constants of the loss). */
  advantages: Float32Array;
  /** n row weights ≥ 0 with a positive sum (default all 1). */
  weights?: Float32Array;
}

export interface MetaGradientOptions {
  /** α: one rate, or one per parameter in the flat layout (Meta-SGD: ∇_α is returned too). Default DEFAULTS.innerLr. */
  innerLr?: number | Float32Array;
  /** Inner steps k ≥ 1, all on the inner rows. Default 1. */
  innerSteps?: number;
  /** 2: exact (through the inner gradients); 1: first order (FOMAML). Default 2. */
  order?: 1 | 2;
  /** Inner surrogate: 'naive' (default) or 'lvc' (see dm.reinforceLoss). The outer loss is naive. */
  estimator?: Estimator;
  /** 'wasm' (default; built-in MLPs) or 'tfjs'. */
  engine?: GradEngine;
  /**
   * θ_k when the caller has it already (the adapted parameters the outer rows were sampled with,
   * flat layout). The 'wasm' engine then takes it instead of its own last inner step (one inner
   * gradient less unless α is learned); 'tfjs' recomputes it. It must be the adaptation of the
   * current parameters on the inner rows.
   */
  adapted?: Float32Array;
}

export interface MetaGradientResult {
  /** ∇_θ, in the layout of policy.getFlat(). */
  theta: Float32Array;
  /** ∇_α when innerLr is a Float32Array, else null. */
  innerLr: Float32Array | null;
}

/** dm.metaGradient's options once checked (or taken from a resolved config by the meta-step). */
export interface ResolvedMetaGradientOptions {
  adapted: Float32Array | null;
  innerLr: number | Float32Array;
  innerSteps: number;
  order: 1 | 2;
  estimator: Estimator;
  engine: GradEngine;
}

/** The meta-gradient of one task (see the file comment). */
export function metaGradient(policy: Policy, data: { inner: RowBatch; outer: RowBatch }, options: MetaGradientOptions = {}): MetaGradientResult {
  if (!(policy instanceof Policy)) throw new ConfigError('policy', policy, 'a Policy (dm.createPolicy(...))');
  if (data == null || typeof data !== 'object') throw new ConfigError('data', data, '{ inner, outer } row batches');
  checkRows('inner', data.inner, policy);
  checkRows('outer', data.outer, policy);
  const o = resolveOptions(options, policy);
  const width = actionWidth(policy.head);
  checkMemory(policy, data.inner.actions.length / width, data.outer.actions.length / width, o);
  return runMetaGradient(policy, data.inner, data.outer, o);
}

/**
 * The meta-gradient of rows and options that are known good, checked nothing again: the
 * meta-step's (rows from dm.rollout, options from a resolved config whose memory plan was checked).
 */
export function runMetaGradient(policy: Policy, inner: RowBatch, outer: RowBatch, o: ResolvedMetaGradientOptions): MetaGradientResult {
  // θ_k is computed, not given: a diverged run stops here with the first non-finite value named.
  if (o.adapted) checkRange('adapted', o.adapted, -Number.MAX_VALUE, Infinity, 'a finite number');
  return o.engine === 'wasm' ? wasmMetaGradient(policy, inner, outer, o) : tfjsMetaGradient(policy, inner, outer, o);
}

function resolveOptions(options: MetaGradientOptions, policy: Policy): ResolvedMetaGradientOptions {
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ innerLr, innerSteps, order, estimator, engine }');
  const innerLr = checkInnerLr(options.innerLr, 'innerLr', policy.numParams);
  const innerSteps = checkInnerSteps(options.innerSteps, 'innerSteps');
  const order = checkOrder(options.order);
  const estimator = checkEstimator(options.estimator);
  const engine = options.engine ?? DEFAULTS.gradEngine;
  if (!GRAD_ENGINES.includes(engine)) throw new ConfigError('engine', engine, GRAD_ENGINES.join(' | '));
  if (engine === 'wasm' && policy.logits !== Policy.prototype.logits) {
    throw new ConfigError('engine', engine, "'tfjs' for a policy with its own logits function ('wasm' runs the built-in MLP)");
  }
  const adapted = options.adapted ?? null;
  if (adapted !== null) {
    if (!(adapted instanceof Float32Array) || adapted.length !== policy.numParams) {
      throw new ConfigError('adapted', adapted, `a Float32Array of ${policy.numParams} floats (the policy's flat parameter count)`);
    }
  }
  return { adapted, innerLr, innerSteps, order, estimator, engine };
}

/**
 * The memory of the call, checked before WASM or tfjs is touched (one ConfigError instead of a WASM
 * abort): engine 'wasm' holds 2k + 5 copies of the parameters (θ_0..θ_k, g_0..g_{k−1}, α, v, u,
 * ∇α; the largest buffer θ_0..θ_k) and the rows; engine 'tfjs' the graph of secondOrderBytes.
 * The same sizes as the trainer's memory plan (src/train/memory-plan.ts).
 */
/**
 * Whether engine 'wasm''s workspace for k inner steps fits (see checkMemory): parameter sets in the
 * module's padded layout, sized by the module (a policy handle's weight buffer of that many sets).
 */
function workspaceFits(policy: Policy, k: number): boolean {
  const setsBytes = (sets: number) => mlpMemoryBytes(shapeOf(policy), sets, policy.numParams).largest;
  return setsBytes(k + 1) < wasmBlockLimitBytes() && setsBytes(2 * k + 5) <= WASM_MEMORY_BUDGET_BYTES;
}

function checkMemory(policy: Policy, nIn: number, nOut: number, o: ResolvedMetaGradientOptions): void {
  const P = policy.numParams, k = o.innerSteps;
  const blockLimit = wasmBlockLimitBytes();
  if (o.engine === 'wasm') {
    if (!workspaceFits(policy, k)) {
      let most = 0, hi = k - 1; // the most steps that fit, by bisection
      while (most < hi) {
        const mid = Math.floor((most + hi + 1) / 2);
        if (workspaceFits(policy, mid)) most = mid;
        else hi = mid - 1;
      }
      throw new ConfigError('innerSteps', k, `${most >= 1 ? `an integer in [1, ${most}]` : 'none'} with this policy: engine 'wasm' holds k + 1 copies of its ${P} parameters in one buffer below ${formatBytes(blockLimit)}`);
    }
    const rowBytes = (nIn + nOut) * (policy.obsDim + 2 + actionWidth(policy.head)) * 4 + 5 * P * 4;
    if (rowBytes >= blockLimit) {
      throw new ConfigError('inner.actions.length + outer.actions.length', nIn + nOut, `rows whose copy in WASM memory stays below ${formatBytes(blockLimit)} (${policy.obsDim + 2 + actionWidth(policy.head)} floats a row)`);
    }
  } else if (differentiatesAdaptation({ order: o.order, learnInnerLr: typeof o.innerLr !== 'number' })) {
    const bytes = secondOrderBytes(Math.max(nIn, nOut), [policy.obsDim, ...policy.hidden, headOutputs(policy.head)], k);
    if (bytes > WASM_MEMORY_BUDGET_BYTES) {
      throw new ConfigError('innerSteps', k, `fewer steps or rows: engine 'tfjs' would hold about ${formatBytes(bytes)} of tensors (at most ${formatBytes(WASM_MEMORY_BUDGET_BYTES)})`);
    }
  }
}

/** Throws naming the first value outside [min, max) (NaN included); a plain loop, run on every row. */
function checkRange(field: string, values: Float32Array | Int32Array, min: number, max: number, allowed: string): void {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x >= min && x < max)) throw new ConfigError(`${field}[${i}]`, x, allowed);
  }
}

function checkRows(field: string, rows: RowBatch, policy: Policy): void {
  if (rows == null || typeof rows !== 'object') throw new ConfigError(field, rows, '{ obs, actions, advantages, weights? }');
  const { obs, actions, advantages, weights } = rows;
  const width = actionWidth(policy.head);
  if (!(actions instanceof Int32Array || actions instanceof Float32Array) || actions.length === 0 || actions.length % width !== 0) {
    throw new ConfigError(`${field}.actions`, actions, width === 1 ? 'an Int32Array of n >= 1 action indices' : `a Float32Array of n >= 1 rows of ${width} floats`);
  }
  const n = actions.length / width, D = policy.obsDim;
  if (!(obs instanceof Float32Array) || obs.length !== n * D) throw new ConfigError(`${field}.obs`, obs, `a Float32Array of n x obsDim = ${n} x ${D} floats`);
  if (!(advantages instanceof Float32Array) || advantages.length !== n) throw new ConfigError(`${field}.advantages`, advantages, `a Float32Array of n = ${n} floats`);
  checkActions(policy.head, `${field}.actions`, actions, n);
  checkRange(`${field}.obs`, obs, -Number.MAX_VALUE, Infinity, 'a finite number');
  checkRange(`${field}.advantages`, advantages, -Number.MAX_VALUE, Infinity, 'a finite number');
  if (weights !== undefined) {
    if (!(weights instanceof Float32Array) || weights.length !== n) throw new ConfigError(`${field}.weights`, weights, `a Float32Array of n = ${n} floats`);
    checkRange(`${field}.weights`, weights, 0, Infinity, 'a finite number >= 0');
    let sum = 0;
    for (const x of weights) sum += x;
    if (!(sum > 0)) throw new ConfigError(`${field}.weights`, `sum ${sum}`, 'weights with a positive sum');
  }
}

// ---- engine 'wasm' ----

// One workspace per WASM MLP, grown (never shrunk) when a call needs more inner steps.
const workspaces = new Map<number, { ptr: number; capacity: number }>();
const scratch = new Scratch();

function workspace(mlp: number, steps: number, policy: Policy): number {
  const w = wasm();
  let ws = workspaces.get(mlp);
  if (!ws || ws.capacity < steps) {
    // Doubled when that fits (checkMemory has checked `steps`, not twice the old capacity).
    const doubled = ws ? 2 * ws.capacity : 1;
    const capacity = doubled > steps && workspaceFits(policy, doubled) ? doubled : steps;
    // The entry leaves the map before its memory is freed: if the new workspace cannot be made (a
    // WASM abort), no later call may find, reuse or free again the old one.
    if (ws) {
      workspaces.delete(mlp);
      w.metaGradFree(ws.ptr);
    }
    ws = { ptr: w.metaGradCreate(mlp, capacity), capacity };
    workspaces.set(mlp, ws);
  }
  return ws.ptr;
}

function wasmMetaGradient(policy: Policy, inner: RowBatch, outer: RowBatch, o: ResolvedMetaGradientOptions): MetaGradientResult {
  const w = wasm();
  const mlp = wasmMlp(shapeOf(policy), 1);
  const ws = workspace(mlp, o.innerSteps, policy);
  const P = policy.numParams, D = policy.obsDim, width = actionWidth(policy.head);
  const perTask = typeof o.innerLr !== 'number';
  const floats = (inner.actions.length + outer.actions.length) / width * (D + 2 + width) + 5 * P;
  const base = scratch.ensure(floats * 4);
  // Everything below is 4-byte data laid end to end in the scratch buffer (no allocation after this).
  const f32 = new Float32Array(w.memory.buffer), i32 = new Int32Array(w.memory.buffer);
  let at = base >> 2;
  const put = (values: ArrayLike<number> | null, length: number, view: Float32Array | Int32Array = f32): number => {
    if (values) view.set(values, at);
    else view.fill(1, at, at + length);
    at += length;
    return (at - length) << 2;
  };
  const rows = (b: RowBatch) => {
    const n = b.actions.length / width;
    return [n, put(b.obs, n * D), put(b.actions, n * width, b.actions instanceof Int32Array ? i32 : f32), put(b.advantages, n), put(b.weights ?? null, n)] as const;
  };
  const innerArgs = rows(inner), outerArgs = rows(outer);
  const thetaPtr = put(policy.getFlat(), P);
  const alphaPtr = perTask ? put(o.innerLr as Float32Array, P) : 0;
  const adaptedPtr = o.adapted ? put(o.adapted, P) : 0;
  const gradPtr = put(null, P), alphaGradPtr = put(null, P);
  w.metaGradRun(ws, ...innerArgs, ...outerArgs, thetaPtr, alphaPtr, perTask ? 0 : (o.innerLr as number), adaptedPtr, o.innerSteps, o.order,
    wasmConst(o.estimator === 'lvc' ? 'INNER_LOSS_LVC' : 'INNER_LOSS_NAIVE'), gradPtr, perTask ? alphaGradPtr : 0);
  const out = (ptr: number) => new Float32Array(w.memory.buffer, ptr, P).slice();
  return { theta: out(gradPtr), innerLr: perTask ? out(alphaGradPtr) : null };
}

// ---- engine 'tfjs' ----

function rowTensors(b: RowBatch, policy: Policy): ReinforceBatch {
  const n = b.advantages.length;
  return {
    obs: tf.tensor2d(b.obs, [n, policy.obsDim]),
    actions: actionsTensor(policy.head, b.actions),
    advantages: tf.tensor1d(b.advantages),
    ...(b.weights ? { weights: tf.tensor1d(b.weights) } : {}),
  };
}

/** Tensors shaped like `like`, filled from one flat array. */
function splitLike(flat: Float32Array, like: readonly tf.Tensor[]): tf.Tensor[] {
  let offset = 0;
  return like.map((x) => {
    const t = tf.tensor(flat.subarray(offset, offset + x.size), x.shape, 'float32');
    offset += x.size;
    return t;
  });
}

function tfjsMetaGradient(policy: Policy, inner: RowBatch, outer: RowBatch, o: ResolvedMetaGradientOptions): MetaGradientResult {
  const P = policy.params.length;
  const logits = policy.logits.bind(policy), head = policy.head;
  const perTask = typeof o.innerLr !== 'number';
  const grads = tf.tidy(() => {
    const innerBatch = rowTensors(inner, policy), outerBatch = rowTensors(outer, policy);
    const alpha = perTask ? splitLike(o.innerLr as Float32Array, policy.params) : [];
    const metaLoss = (...xs: tf.Tensor[]): tf.Scalar => {
      const lr = perTask ? xs.slice(P) : (o.innerLr as number);
      const adapted = adapt(xs.slice(0, P), (p) => reinforceLoss(p, innerBatch, { logits, head, estimator: o.estimator }), { lr, steps: o.innerSteps, order: o.order });
      return reinforceLoss(adapted, outerBatch, { logits, head });
    };
    return tf.grads(metaLoss)([...policy.params, ...alpha]);
  });
  const result = { theta: flattenTensors(grads.slice(0, P)), innerLr: perTask ? flattenTensors(grads.slice(P)) : null };
  tf.dispose(grads);
  return result;
}

/**
 * An upper bound of the bytes of tensors the tfjs backend holds at once during one task's
 * second-order meta-gradient on the tfjs engine, for batches of `rows` rows (pre and post each)
 * through an MLP with these layer sizes. Measured with tf.profile's peakBytes (CartPole and
 * Intersection; linear to [1024, 1024] MLPs; tanh and relu; 1–3 inner steps; naive and lvc; MAML
 * and Meta-SGD): at most 206 + 121·(k − 1) bytes per row and unit (units: every layer's width,
 * input and logits included) and 4·P·(18.6 + 13.4·(k − 1)) bytes for the parameters (k inner
 * steps, P parameters). The bound below adds a margin of 20% or more to both;
 * test/train/memory.test.ts keeps it above the measured peak.
 */
export function secondOrderBytes(rows: number, layerSizes: readonly number[], innerSteps: number): number {
  const units = layerSizes.reduce((a, b) => a + b, 0);
  return rows * units * (128 + 128 * innerSteps) + 4 * mlpParamCount(layerSizes) * (10 + 16 * innerSteps);
}

/**
 * Whether an algorithm's meta-gradient builds a tfjs graph through the adaptation: order 2 or
 * learned rates, on the tfjs engine (the wasm engine and first order need none).
 */
export function usesTfjsGraph(algo: { order: number; learnInnerLr: boolean }, engine: GradEngine): boolean {
  return engine === 'tfjs' && differentiatesAdaptation(algo);
}
