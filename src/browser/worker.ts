// Module worker of the browser demo (demo.html): all library work runs here — meta-training (tfjs
// wasm or webgl backend), adaptation to a task, recording the episodes the page draws, saving and
// loading policies — so the page's main thread only draws and never loads tfjs. Bundled to
// dist/browser/worker.js with the tfjs .wasm files beside it. Protocol: the page sends ToWorker
// messages, the worker answers with FromWorker ones.
import {
  init, Trainer, envIds, ALGOS, CONFIG_BACKENDS, resolveConfig, tf, taskFamily, adaptPolicy, recordEpisode, loadPolicy,
  exportPolicy, envSpec, episodeScene, ConfigError, POLICY_METADATA_KEY, DEFAULTS,
  type TrainConfig, type IterationMetrics, type Policy, type TaskFamily, type PolicyMetadata, type Scene, type Episode,
} from '../index';

/** A task parameter as the page's sliders need it. */
export interface TaskParam {
  name: string;
  description: string;
  /** Physical domain: min < v (or min <= v when minInclusive), v <= max. */
  min: number;
  minInclusive: boolean;
  max: number;
  maxInclusive: boolean;
  /** The range the policy was meta-trained on (low = high: fixed). */
  low: number;
  high: number;
}

/** The policy the worker holds: what it is and the task parameters of its env. */
export interface PolicyInfo {
  env: string;
  source: 'trained' | 'indexeddb' | 'files';
  /** Where it came from, for people ("trained here", "IndexedDB: name", "files: a.json"). */
  origin: string;
  algo: string | null;
  iterations: number | null;
  hidden: number[];
  activation: string;
  /** α, or the mean of Meta-SGD's learned rates. */
  innerLr: number;
  learnedRates: boolean;
  params: TaskParam[];
  /** The task the meta-policy is centred on (the middle of every range). */
  medium: Record<string, number>;
  /** Step limit of the episodes it adapts on and plays: the training's (or the saved policy's), else the env's own. */
  maxSteps: number;
}

/** One recorded episode (dm.recordEpisode) as a renderer draws it: its scene (dm.episodeScene) and rewards. */
export interface EpisodeFrames {
  scene: Scene;
  rewards: Float32Array;
  return: number;
  length: number;
  terminated: boolean;
}

export interface AdaptRequest {
  /** Task parameters by name; the others take the middle of the training range. */
  task: Record<string, number>;
  steps: number;
  episodes: number;
  /** The inner rate; null: the policy's own (α, or Meta-SGD's learned rates). */
  innerLr: number | null;
  seed: number;
}

/**
 * What the tfjs backend did during a run, so that a webgl run shows webgl computed: on webgl, the
 * shader programs it ran (its runWebGLProgram calls, counted in this worker) and the GPU memory
 * its textures hold at the end; null on other backends. (On webgl the tasks run in this worker:
 * the config's workers default to 1 there.)
 */
export interface BackendActivity {
  backend: string;
  gradEngine: string;
  shaderRuns: number | null;
  gpuBytes: number | null;
}

export type ToWorker =
  /** Starts a run of config.iterations meta-iterations (fields not given take their defaults). */
  | { type: 'start'; config: Partial<TrainConfig> }
  /** Ends the current run after the iteration in progress. */
  | { type: 'stop' }
  /** Adapts the current policy to a task, then records one episode of each policy on it. */
  | { type: 'adapt'; request: AdaptRequest }
  /** Saves the meta-policy or the last adapted one to IndexedDB, or sends its files to download. */
  | { type: 'save'; name: string; which: 'meta' | 'adapted'; to: 'indexeddb' | 'download' }
  /** Lists the policies saved in IndexedDB. */
  | { type: 'list' }
  /** Loads a policy from IndexedDB or from files (model.json first, then its weight files). */
  | { type: 'load'; from: 'indexeddb'; name: string }
  | { type: 'load'; from: 'files'; files: File[] };

export type FromWorker =
  /** The library is initialised; the lists and defaults the page offers. */
  | { type: 'ready'; envIds: string[]; maxEpisodeSteps: Record<string, number>; algos: string[]; backends: string[]; defaults: TrainConfig; backend: string }
  /** A run began with this resolved config, on this tfjs backend, its tasks on `workers` threads (nested Web Workers when > 1). */
  | { type: 'started'; config: TrainConfig; backend: string; workers: number }
  /** One meta-iteration finished. */
  | { type: 'metrics'; metrics: IterationMetrics }
  /** The run ended: all iterations done ('finished') or after a stop message ('stopped'). */
  | { type: 'done'; reason: 'finished' | 'stopped'; iterations: number; activity: BackendActivity }
  /** The policy that adapt and save now use. */
  | { type: 'policy'; info: PolicyInfo }
  /** An adaptation: the return after 0..steps steps, and one episode of each policy on the task. */
  | { type: 'adapted'; task: Record<string, number>; steps: number; episodes: number; innerLr: number; returns: number[]; seconds: number; meta: EpisodeFrames; adapted: EpisodeFrames }
  | { type: 'saved'; name: string; which: 'meta' | 'adapted' }
  /** The two files of a tfjs download: name.json (its manifest names name.weights.bin) and the weights. */
  | { type: 'download'; name: string; modelJson: string; weights: ArrayBuffer }
  | { type: 'models'; names: string[] }
  /** Something failed; `during` says what (a bad value names the field: ConfigError's message). */
  | { type: 'error'; during: ToWorker['type'] | 'init'; message: string };

// The DOM lib types `self` as a Window; this is the part of a DedicatedWorkerGlobalScope used here.
const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
};
const post = (message: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);
const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// The tfjs .wasm files are served beside this bundle.
const wasmPaths = new URL('./', import.meta.url).href;
const ready = init({ backend: 'wasm', wasmPaths });
ready.then(
  () => post({
    type: 'ready', envIds: envIds(), maxEpisodeSteps: Object.fromEntries(envIds().map((id) => [id, taskFamily(id).maxEpisodeSteps])),
    algos: [...ALGOS], backends: [...CONFIG_BACKENDS], defaults: resolveConfig({}), backend: tf.getBackend(),
  }),
  (err) => post({ type: 'error', during: 'init', message: `initialisation failed: ${errorMessage(err)}` }),
);

/** The policy adapt and save use, with what it was trained on. */
interface Current {
  policy: Policy;
  family: TaskFamily;
  info: PolicyInfo;
  innerLr: number | Float32Array;
  gamma: number;
  lambda: number;
}
let current: Current | null = null;
let adapted: { policy: Policy; metadata: PolicyMetadata } | null = null;
let running = false;
let stopRequested = false;

function replaceCurrent(next: Current | null): void {
  if (current && current.policy !== next?.policy) current.policy.dispose();
  adapted?.policy.dispose();
  adapted = null;
  current = next;
  if (next) post({ type: 'policy', info: next.info });
}

function describe(family: TaskFamily, policy: Policy, innerLr: number | Float32Array, rest: Pick<PolicyInfo, 'source' | 'origin' | 'algo' | 'iterations' | 'maxSteps'>): PolicyInfo {
  const spec = envSpec(family.id);
  const medium = family.medium();
  let meanLr = typeof innerLr === 'number' ? innerLr : 0;
  if (typeof innerLr !== 'number') for (const a of innerLr) meanLr += a / innerLr.length;
  return {
    env: family.id, ...rest, hidden: [...policy.hidden], activation: policy.activation, innerLr: meanLr, learnedRates: typeof innerLr !== 'number',
    params: spec.params.map((p, k) => ({
      name: p.name, description: p.description, min: p.min, minInclusive: p.minInclusive, max: p.max, maxInclusive: p.maxInclusive !== false,
      low: family.low[k], high: family.high[k],
    })),
    medium: Object.fromEntries(family.paramNames.map((n, k) => [n, medium[k]])),
  };
}

async function train(config: Partial<TrainConfig>): Promise<void> {
  if (running) throw new ConfigError('start', 'a second run', 'one run at a time: stop the current one first');
  running = true;
  stopRequested = false;
  let trainer: Trainer | null = null;
  try {
    await ready;
    const resolved = resolveConfig(config); // the page's form, resolved once (ConfigError); the trainer takes it as is
    await init({ backend: resolved.backend, wasmPaths });
    replaceCurrent(null); // the run replaces the policy held here (save it first to keep it)
    trainer = new Trainer(resolved);
    const runsBefore = shaderRuns();
    post({ type: 'started', config: trainer.config, backend: tf.getBackend(), workers: trainer.workers });
    let reason: 'finished' | 'stopped' = 'finished';
    for await (const metrics of trainer.run()) {
      post({ type: 'metrics', metrics });
      // Let a pending stop message in before the next iteration starts.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (stopRequested) {
        reason = 'stopped';
        break;
      }
    }
    const c = trainer.config;
    const innerLr = trainer.innerLearningRate;
    const info = describe(trainer.family, trainer.policy, innerLr, {
      source: 'trained', origin: `trained here (${tf.getBackend()})`, algo: c.algo, iterations: trainer.iteration, maxSteps: c.maxSteps });
    replaceCurrent({ policy: trainer.policy, family: trainer.family, info, innerLr, gamma: c.gamma, lambda: c.lambda });
    trainer = null; // its policy is now the current one
    const runsAfter = shaderRuns();
    const activity: BackendActivity = {
      backend: tf.getBackend(), gradEngine: c.gradEngine,
      shaderRuns: runsAfter === null || runsBefore === null ? null : runsAfter - runsBefore,
      gpuBytes: tf.getBackend() === 'webgl' ? (tf.memory() as { numBytesInGPUAllocated?: number }).numBytesInGPUAllocated ?? null : null,
    };
    post({ type: 'done', reason, iterations: info.iterations ?? 0, activity });
  } finally {
    trainer?.dispose();
    running = false;
  }
}

/**
 * Shader programs the webgl backend has run in this worker so far, or null on another backend.
 * Counted by wrapping the backend instance's runWebGLProgram (every webgl kernel goes through it)
 * the first time it is asked for; null if this tfjs has no such method.
 */
function shaderRuns(): number | null {
  if (tf.getBackend() !== 'webgl') return null;
  const gl = tf.backend() as unknown as { runWebGLProgram?: (...args: unknown[]) => unknown; dmShaderRuns?: number };
  if (typeof gl.runWebGLProgram !== 'function') return null;
  if (gl.dmShaderRuns === undefined) {
    const run = gl.runWebGLProgram;
    gl.dmShaderRuns = 0;
    gl.runWebGLProgram = function (this: typeof gl, ...args: unknown[]) {
      gl.dmShaderRuns!++;
      return run.apply(this, args);
    };
  }
  return gl.dmShaderRuns;
}

function requireCurrent(): Current {
  if (running) throw new ConfigError('policy', 'a run in progress', 'a finished run: stop or wait for the run first');
  if (!current) throw new ConfigError('policy', 'none', 'a meta-trained or loaded policy: train or load one first');
  return current;
}

/** An episode of `task` as the page draws it, and the buffers to transfer. */
function frames(family: TaskFamily, task: Float32Array, episode: Episode): { frames: EpisodeFrames; transfer: Transferable[] } {
  const scene = episodeScene(family, task, episode);
  const buffers = Object.values(scene).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)).map((v) => v.buffer as ArrayBuffer);
  const { rewards, return: total, length, terminated } = episode;
  return { frames: { scene, rewards, return: total, length, terminated }, transfer: [...new Set([...buffers, rewards.buffer as ArrayBuffer])] };
}

async function adapt(request: AdaptRequest): Promise<void> {
  const c = requireCurrent();
  const task = c.family.task(request.task); // validates names and the physical domain (not the training range)
  const innerLr = request.innerLr ?? c.innerLr;
  const start = performance.now();
  const maxSteps = c.info.maxSteps;
  const result = await adaptPolicy(c.policy, c.family, task, {
    steps: request.steps, episodes: request.episodes, innerLr, seed: request.seed, gamma: c.gamma, lambda: c.lambda, maxSteps });
  const seconds = (performance.now() - start) / 1000;
  const named = Object.fromEntries(c.family.paramNames.map((n, k) => [n, task[k]]));
  adapted?.policy.dispose();
  adapted = {
    policy: result.policy,
    metadata: { ...metadataOf(c), adapted: { task: named, steps: request.steps, episodes: request.episodes, seed: request.seed, returns: result.returns } },
  };
  // Both policies play the same episode start (same seed): the difference is the adaptation.
  const meta = frames(c.family, task, recordEpisode(c.family, c.policy, task, { seed: request.seed, maxSteps }));
  const after = frames(c.family, task, recordEpisode(c.family, result.policy, task, { seed: request.seed, maxSteps }));
  const lr = typeof innerLr === 'number' ? innerLr : c.info.innerLr;
  post({ type: 'adapted', task: named, steps: request.steps, episodes: request.episodes, innerLr: lr, returns: result.returns, seconds, meta: meta.frames, adapted: after.frames },
    [...meta.transfer, ...after.transfer]);
}

function metadataOf(c: Current): PolicyMetadata {
  return {
    env: c.family.id, ranges: c.family.ranges, algo: c.info.algo ?? undefined, iterations: c.info.iterations ?? undefined, maxSteps: c.info.maxSteps,
    innerLr: typeof c.innerLr === 'number' ? c.innerLr : Array.from(c.innerLr),
  };
}

const NAME_RULE = /^[A-Za-z0-9._-]{1,64}$/;

async function save(name: string, which: 'meta' | 'adapted', to: 'indexeddb' | 'download'): Promise<void> {
  if (typeof name !== 'string' || !NAME_RULE.test(name)) throw new ConfigError('name', name, '1 to 64 letters, digits, ".", "_" or "-"');
  const c = requireCurrent();
  if (which === 'adapted' && !adapted) throw new ConfigError('which', which, 'meta (no adapted policy yet: adapt first)');
  const policy = which === 'adapted' ? adapted!.policy : c.policy;
  const metadata = { [POLICY_METADATA_KEY]: which === 'adapted' ? adapted!.metadata : metadataOf(c) };
  if (to === 'indexeddb') {
    await exportPolicy(policy, `indexeddb://${name}`, { metadata });
    post({ type: 'saved', name, which });
    return;
  }
  // tfjs's downloads:// needs a document; build the same two files here and let the page save them.
  let artifacts: tf.io.ModelArtifacts | null = null;
  await exportPolicy(policy, tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }), { metadata });
  const a = artifacts! as tf.io.ModelArtifacts;
  const weightsFile = `${name}.weights.bin`;
  const modelJson: tf.io.ModelJSON = {
    modelTopology: a.modelTopology as object, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
    weightsManifest: [{ paths: [`./${weightsFile}`], weights: a.weightSpecs ?? [] }],
    userDefinedMetadata: a.userDefinedMetadata,
  };
  const weights = tf.io.concatenateArrayBuffers(a.weightData!);
  post({ type: 'download', name, modelJson: JSON.stringify(modelJson), weights }, [weights]);
}

async function listModels(): Promise<void> {
  const all = await tf.io.listModels();
  const names = Object.keys(all).filter((k) => k.startsWith('indexeddb://')).map((k) => k.slice('indexeddb://'.length)).sort();
  post({ type: 'models', names });
}

/** The env of a model without metadata: the one registered env whose sizes fit. */
function envFor(policy: Policy, meta: PolicyMetadata | undefined): string {
  if (meta?.env && envIds().includes(meta.env)) return meta.env;
  const fits = envIds().filter((id) => {
    const f = taskFamily(id);
    return f.obsDim === policy.obsDim && f.numActions === policy.numActions;
  });
  if (fits.length !== 1) {
    throw new ConfigError('model', `${policy.obsDim} inputs, ${policy.numActions} actions`, fits.length ? `one env: several fit (${fits.join(', ')})` : 'the sizes of an env of this library');
  }
  return fits[0];
}

async function load(message: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  if (running) throw new ConfigError('load', 'during a run', 'a finished run: stop or wait for the run first');
  await ready;
  let handler: tf.io.IOHandler;
  let origin: string;
  if (message.from === 'indexeddb') {
    handler = tf.io.getLoadHandlers(`indexeddb://${message.name}`)[0];
    origin = `IndexedDB: ${message.name}`;
  } else {
    const files = [...message.files].sort((a, b) => Number(b.name.endsWith('.json')) - Number(a.name.endsWith('.json')));
    if (!files.length || !files[0].name.endsWith('.json')) throw new ConfigError('files', files.map((f) => f.name), 'a model .json file and its weight files');
    handler = tf.io.browserFiles(files);
    origin = `files: ${files.map((f) => f.name).join(', ')}`;
  }
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load!();
  } catch (err) {
    throw new ConfigError('source', origin, `a saved policy (${errorMessage(err)})`);
  }
  const policy = await loadPolicy(tf.io.fromMemory(artifacts));
  try {
    const meta = (artifacts.userDefinedMetadata as Record<string, PolicyMetadata> | undefined)?.[POLICY_METADATA_KEY];
    const family = taskFamily(envFor(policy, meta), meta?.ranges);
    let innerLr: number | Float32Array = DEFAULTS.innerLr;
    if (typeof meta?.innerLr === 'number') innerLr = meta.innerLr;
    else if (Array.isArray(meta?.innerLr) && meta.innerLr.length === policy.numParams) innerLr = Float32Array.from(meta.innerLr);
    const maxSteps = Number.isInteger(meta?.maxSteps) && meta!.maxSteps! >= 1 ? meta!.maxSteps! : family.maxEpisodeSteps;
    const info = describe(family, policy, innerLr, { source: message.from, origin, algo: meta?.algo ?? null, iterations: meta?.iterations ?? null, maxSteps });
    replaceCurrent({ policy, family, info, innerLr, gamma: DEFAULTS.gamma, lambda: DEFAULTS.lambda });
  } catch (err) {
    policy.dispose();
    throw err;
  }
}

scope.addEventListener('message', (event) => {
  const message = event.data;
  const fail = (err: unknown) => post({ type: 'error', during: message.type, message: errorMessage(err) });
  switch (message.type) {
    case 'stop': stopRequested = true; break;
    case 'start': train(message.config).catch(fail); break;
    case 'adapt': ready.then(() => adapt(message.request)).catch(fail); break;
    case 'save': ready.then(() => save(message.name, message.which, message.to)).catch(fail); break;
    case 'list': ready.then(listModels).catch(fail); break;
    case 'load': load(message).catch(fail); break;
    default: post({ type: 'error', during: 'init', message: `unknown message type ${JSON.stringify((message as { type?: unknown }).type)}: allowed start | stop | adapt | save | list | load` });
  }
});
