// The one WebAssembly loader. The module's bytes are embedded in the JavaScript build (esbuild's
// binary loader), so there is a single code path for Node, a page, a worker, Bun and Deno: no
// file system, no fetch, no URL resolution.
import wasmBytes from '../../build/release.wasm';

export interface WasmExports {
  /** The module's linear memory (a WebAssembly.Memory, typed by what the library reads: the package's declarations need no DOM lib). */
  memory: { readonly buffer: ArrayBuffer; grow(delta: number): number };
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** Byte sizes of what the creators allocate (in all, or the largest buffer), for src/rl/memory.ts. */
  vecEnvBytes(kind: number, numEnvs: number, largest: boolean): number;
  rolloutBytes(kind: number, numEpisodes: number, maxSteps: number, largest: boolean): number;
  mlpBytes(numLayers: number, sizesPtr: number, numSets: number, largest: boolean, head: number): number;
  fillUniform(seed: number, purpose: number, task: number, lane: number, counterStart: bigint, out: number, n: number): void;
  deriveSeed(seed: number, purpose: number, task: number, lane: number): number;
  envDim(kind: number, which: number): number;
  envDefaultParam(kind: number, index: number): number;
  envActionBound(kind: number, component: number, upper: boolean): number;
  vecEnvCreate(kind: number, numEnvs: number, maxSteps: number): number;
  vecEnvFree(env: number): void;
  vecEnvField(env: number, field: number): number;
  vecEnvSeed(env: number, seed: number): void;
  vecEnvResetAll(env: number): void;
  vecEnvObserve(env: number): void;
  vecEnvStep(env: number): void;
  cartpoleStepScalar(lanes: number, lane: number, state: number, params: number, action: number): number;
  intersectionStepScalar(lanes: number, lane: number, state: number, params: number, action: number, reward: number): number;
  lunarChunkX(i: number): number;
  lunarPadEdgeX(padOffset: number, side: number): number;
  lunarShapeVertexCount(body: number): number;
  lunarShapeVertex(body: number, i: number, coordinate: number): number;
  lunarWindAt(index: number, power: number): number;
  lunarEngineFiring(x: number, y: number, angle: number, action: number): number;
  lunarContinuousEngineFiring(x: number, y: number, angle: number, a0: number, a1: number, side: boolean): number;
  mlpCreate(numLayers: number, sizesPtr: number, activation: number, numSets: number, head: number): number;
  mlpFree(mlp: number): void;
  mlpFlatFloats(mlp: number): number;
  mlpSetWeights(mlp: number, set: number, flat: number): void;
  mlpForwardBatch(mlp: number, set: number, n: number, obs: number, logitsOut: number, logProbOut: number): void;
  mlpPolicyGradient(mlp: number, set: number, n: number, obs: number, actions: number, advantages: number, weights: number, gradOut: number): void;
  rolloutCreate(kind: number, numEpisodes: number, maxSteps: number): number;
  rolloutFree(rollout: number): void;
  rolloutField(rollout: number, field: number): number;
  rolloutRun(rollout: number, mlp: number, seed: number, episodesPerTask: number, taskIds: number, perTaskWeights: number, maxSteps: number): number;
  rolloutUserCreate(obsDim: number, numActions: number, actionSize: number, numEpisodes: number, maxSteps: number): number;
  rolloutUserBytes(obsDim: number, actionSize: number, numEpisodes: number, maxSteps: number, largest: boolean): number;
  rolloutUserBegin(rollout: number, seed: number, episodesPerTask: number, taskIds: number): void;
  rolloutUserSample(rollout: number, mlp: number, t: number, episodesPerTask: number, perTaskWeights: number): void;
  rolloutUserRecord(rollout: number, t: number, steps: number): number;
  rolloutCompact(rollout: number, obsOut: number, actionOut: number, rewardOut: number, logProbOut: number): void;
  metaGradCreate(mlp: number, capacity: number): number;
  metaGradFree(ws: number): void;
  metaGradRun(ws: number, nIn: number, obsIn: number, actionsIn: number, advantagesIn: number, weightsIn: number,
    nOut: number, obsOut: number, actionsOut: number, advantagesOut: number, weightsOut: number,
    thetaFlat: number, alphaFlat: number, alphaScalar: number, thetaKFlat: number, steps: number, order: number, innerLoss: number,
    thetaGradOut: number, alphaGradOut: number): void;
  estimateAdvantages(numEpisodes: number, episodesPerTask: number, lengths: number, obsDim: number, obs: number, rewards: number,
    gamma: number, lambda: number, returnsOut: number, valuesOut: number, advantagesOut: number, weightsOut: number): number;
  [name: string]: unknown;
}

/**
 * A number the module defines (an exported immutable global of assembly/index.ts): RNG purposes,
 * env kinds and dimensions, buffer field ids, activation codes. TypeScript never re-types them.
 */
export function wasmConst(name: string): number {
  const g = wasm()[name];
  if (!(g instanceof WebAssembly.Global)) throw new Error(`directed-maml wasm: the module exports no constant ${name}`);
  return g.value as number;
}

/** Purposes of the RNG streams (assembly/rng.ts), read from the module. */
export const Purpose = {
  get TASKS() { return wasmConst('PURPOSE_TASKS'); },
  get RESET() { return wasmConst('PURPOSE_RESET'); },
  get ACTION() { return wasmConst('PURPOSE_ACTION'); },
  get INIT() { return wasmConst('PURPOSE_INIT'); },
  get ENV() { return wasmConst('PURPOSE_ENV'); },
  get ITERATION() { return wasmConst('PURPOSE_ITERATION'); },
  get BOOTSTRAP() { return wasmConst('PURPOSE_BOOTSTRAP'); },
};

let exports: WasmExports | null = null;
let loading: Promise<WasmExports> | null = null;

function readAsString(memory: WasmExports['memory'], ptr: number): string {
  if (!ptr) return '';
  const length = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, length));
}

/** Instantiates the module once; later calls return the same instance. */
export function loadWasm(): Promise<WasmExports> {
  if (exports) return Promise.resolve(exports);
  if (!loading) {
    let memoryRef: WasmExports['memory'] | null = null;
    const imports = {
      env: {
        abort(message: number, file: number, line: number, column: number): never {
          const m = memoryRef!;
          throw new Error(`directed-maml wasm abort: ${readAsString(m, message)} at ${readAsString(m, file)}:${line}:${column}`);
        },
      },
    };
    loading = WebAssembly.compile(wasmBytes as unknown as BufferSource).then((module) => WebAssembly.instantiate(module, imports)).then((instance) => {
      const raw = instance.exports as unknown as WasmExports;
      // Addresses are usize (u32), but a wasm i32 reaches JavaScript signed: read the ones JS uses
      // as offsets unsigned, or memory past 2 GiB would give negative offsets.
      const e: WasmExports = {
        ...raw,
        alloc: (bytes: number) => raw.alloc(bytes) >>> 0,
        vecEnvField: (env: number, field: number) => raw.vecEnvField(env, field) >>> 0,
        rolloutField: (rollout: number, field: number) => raw.rolloutField(rollout, field) >>> 0,
      };
      memoryRef = e.memory;
      exports = e;
      return e;
    });
  }
  return loading;
}

/** The loaded module; throws a clear error before dm.init(). */
export function wasm(): WasmExports {
  if (!exports) throw new Error('directed-maml is not initialised: call `await dm.init()` first');
  return exports;
}

type View = Float32Array | Int32Array | Uint8Array | BigUint64Array;
type ViewCtor<T extends View> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T };

/**
 * A typed view over a region of linear memory that stays valid when memory grows: growing
 * detaches the old ArrayBuffer, so `get()` rebuilds the view whenever the buffer has changed.
 */
export class MemoryView<T extends View> {
  private buffer: ArrayBuffer | null = null;
  private view!: T;
  constructor(private readonly ctor: ViewCtor<T>, readonly ptr: number, readonly length: number) {}
  get(): T {
    const buffer = wasm().memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.view = new this.ctor(buffer, this.ptr, this.length);
    }
    return this.view;
  }
}

export const f32View = (ptr: number, length: number) => new MemoryView(Float32Array, ptr, length);
export const i32View = (ptr: number, length: number) => new MemoryView(Int32Array, ptr, length);
export const u8View = (ptr: number, length: number) => new MemoryView(Uint8Array, ptr, length);
export const u64View = (ptr: number, length: number) => new MemoryView(BigUint64Array, ptr, length);

/**
 * A scratch buffer in linear memory that grows (by reallocation) only when a caller needs more
 * than it has ever needed: allocated once, reused by every call.
 */
export class Scratch {
  private ptr = 0;
  private bytes = 0;
  /**
   * A buffer of at least `bytes`. It grows by doubling (episodes lengthen as a policy learns) but
   * never past max(bytes, capBytes) when the caller knows its largest need, nor past the
   * allocator's block limit: a size beyond that limit is a RangeError here, not a WASM abort.
   */
  ensure(bytes: number, capBytes = Infinity): number {
    if (bytes > this.bytes) {
      const w = wasm();
      const blockLimit = wasmConst('ALLOC_MAX_BYTES');
      if (bytes > blockLimit) throw new RangeError(`directed-maml wasm: a buffer of ${bytes} bytes exceeds the allocator's block limit of ${blockLimit} bytes`);
      const grown = Math.min(Math.max(bytes, this.bytes * 2, 64), Math.max(bytes, capBytes), blockLimit);
      if (this.ptr) w.free(this.ptr);
      this.ptr = 0;
      this.bytes = 0;
      this.ptr = w.alloc(grown);
      this.bytes = grown;
    }
    return this.ptr;
  }
}

/**
 * A cache of the `max` most recently used values by key: `get` returns the key's value (made by
 * `create` when absent) and marks it most recent; a new key beyond `max` frees the least recent.
 * For WASM objects allocated once per shape and reused (rollout workspaces, one-lane envs).
 */
export class RecentCache<V> {
  private readonly entries = new Map<string, V>(); // Map order: least recently used first
  constructor(private readonly max: number, private readonly free: (value: V) => void) {}

  get(key: string, create: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      if (this.entries.size >= this.max) {
        const [oldestKey, oldest] = this.entries.entries().next().value!;
        this.free(oldest);
        this.entries.delete(oldestKey);
      }
      value = create();
    } else {
      this.entries.delete(key); // re-inserted below as the most recent
    }
    this.entries.set(key, value);
    return value;
  }
}
