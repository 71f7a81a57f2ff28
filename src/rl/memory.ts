// How much of the WASM module's linear memory a workload needs, from the sizes the module itself
// reports (assembly/*Bytes: the same expressions its creators allocate with) and the scratch
// buffers of the TypeScript side. wasm32 memory ends at 4 GiB, and the allocator (TLSF) refuses any
// single buffer of 1 GiB or more: a config is checked against both before anything is allocated
// (src/train/config.ts checkWasmMemory), so a user gets one line instead of a WASM abort.
import { wasm, wasmConst } from '../core/wasm';
import { envSpec } from '../envs/registry';
import { rolloutWorkspaceBytes, rolloutCopyOutBytes } from './rollout';
import { estimatorScratchBytes } from './estimator';
import { mlpMemoryBytes } from './wasm-policy';
import { actionWidth, headFor, headOutputs, headParamCount } from '../nn/head';

/**
 * What a workload may use of the 4 GiB wasm32 memory: 3 GiB. The last GiB is the margin for the
 * module's static data, the allocator's block headers and rounding, and fragmentation (buffers of
 * different shapes freed and reallocated).
 */
export const WASM_MEMORY_BUDGET_BYTES = 3 * 2 ** 30;

/** The largest single buffer the module can allocate (just under 1 GiB). */
export function wasmBlockLimitBytes(): number {
  return wasmConst('ALLOC_MAX_BYTES');
}

export interface EnvDims {
  kind: number;
  obsDim: number;
  numActions: number;
  /** A box env's action length (0: discrete). */
  actionSize: number;
  numParams: number;
}

/** An env's kind and dimensions, read from the module (no TaskFamily needed). */
export function envDims(envId: string): EnvDims {
  const w = wasm();
  const user = envSpec(envId).user;
  if (user) return { kind: wasmConst('ENV_USER'), obsDim: user.observationSize, numActions: user.numActions, actionSize: user.actionSize, numParams: user.paramNames.length };
  const kind = wasmConst(envSpec(envId).wasmKind);
  const dim = (which: string) => w.envDim(kind, wasmConst(`DIM_${which}`));
  return { kind, obsDim: dim('OBS'), numActions: dim('ACTIONS'), actionSize: dim('ACTION_SIZE'), numParams: dim('PARAMS') };
}

/** One shape of dm.rollout call: tasks × episodes per task, at most maxSteps steps each. */
export interface RolloutShape {
  numTasks: number;
  episodes: number;
  maxSteps: number;
}

export interface MemoryPart {
  what: string;
  total: number;
  largest: number;
}

export interface WasmMemoryPlan {
  parts: MemoryPart[];
  total: number;
  /** The part holding the largest single buffer. */
  largest: MemoryPart;
  /**
   * Bytes of tensors in the tfjs backend's own WASM memory (also 4 GiB at most), when its wasm
   * backend computes the workload's gradients (second order); 0 otherwise.
   */
  tfjs: number;
}

/** Flat parameters of an MLP with these layer sizes (Dense kernels and biases). */
export function mlpParamCount(layerSizes: readonly number[]): number {
  let total = 0;
  for (let l = 0; l + 1 < layerSizes.length; l++) total += layerSizes[l] * layerSizes[l + 1] + layerSizes[l + 1];
  return total;
}

/**
 * The WASM memory of a workload: the given rollout shapes (each its own workspace; the copy-out
 * columns and the estimator's scratch are shared, so they count once, at the largest shape), and
 * one policy handle per number of weight sets.
 */
export function wasmMemoryPlan(env: EnvDims, policy: { hidden: readonly number[]; activation: 'tanh' | 'relu' },
  rollouts: readonly RolloutShape[], weightSets: readonly number[], extra: readonly MemoryPart[] = []): WasmMemoryPlan {
  const parts: MemoryPart[] = [];
  const head = headFor(env);
  const layerSizes = [env.obsDim, ...policy.hidden, headOutputs(head)];
  const numParams = mlpParamCount(layerSizes) + headParamCount(head);
  const shapes = new Map<string, RolloutShape>();
  for (const r of rollouts) shapes.set(`${r.numTasks * r.episodes}|${r.maxSteps}`, r);
  let copyOut: MemoryPart | null = null, scratch: MemoryPart | null = null;
  for (const r of shapes.values()) {
    const numEpisodes = r.numTasks * r.episodes;
    parts.push({ what: `rollout workspace (${numEpisodes} episodes × ${r.maxSteps} steps)`, ...rolloutWorkspaceBytes(env.kind, numEpisodes, r.maxSteps, env.obsDim, env.actionSize) });
    const out = rolloutCopyOutBytes(env.obsDim, numEpisodes, r.maxSteps, actionWidth(head));
    if (!copyOut || out.total > copyOut.total) copyOut = { what: `rollout copy-out (${numEpisodes} episodes × ${r.maxSteps} steps)`, ...out };
    // The estimator runs task by task: one task's episodes.
    const est = estimatorScratchBytes(r.episodes, r.episodes * r.maxSteps, env.obsDim, numParams);
    if (!scratch || est.total > scratch.total) scratch = { what: `estimator scratch (${r.episodes * r.maxSteps} steps)`, ...est };
    // Task ids and task sampling (uniforms), doubled like every scratch.
    parts.push({ what: 'task buffers', total: 2 * r.numTasks * (env.numParams + 1) * 4, largest: r.numTasks * env.numParams * 4 });
  }
  if (copyOut) parts.push(copyOut);
  if (scratch) parts.push(scratch);
  for (const sets of new Set(weightSets)) {
    parts.push({ what: `policy (${numParams} parameters × ${sets} weight set${sets === 1 ? '' : 's'})`, ...mlpMemoryBytes({ layerSizes, activation: policy.activation, head }, sets, numParams) });
  }
  parts.push(...extra); // the caller's own parts (the trainer's meta-gradient buffers)
  const total = parts.reduce((sum, p) => sum + p.total, 0);
  const largest = parts.reduce((a, b) => (b.largest > a.largest ? b : a));
  return { parts, total, largest, tfjs: 0 };
}

/** Bytes as a short human figure (binary units: the limits are powers of two). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes, u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1024; u++; }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toPrecision(3)} ${units[u]}`;
}
