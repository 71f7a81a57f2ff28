// The browser demo's page script (demo.html). Three parts: meta-training with a live curve; a task
// chosen with sliders (values outside the training ranges allowed and marked), the meta-policy and
// the policy adapted to that task playing side by side, with the return after each adaptation step;
// saving (IndexedDB, download) and loading (IndexedDB, files) a policy. All library work runs in
// worker.ts; this thread sends requests and draws what comes back, so it never loads tfjs (it
// imports types and the renderers only).
import type { FromWorker, ToWorker, PolicyInfo, TaskParam, EpisodeFrames, AdaptRequest, BackendActivity } from './worker';
import type { IterationMetrics, TrainConfig } from '../index';
import { drawCurve } from './curve';
import { rendererFor, type RenderFrame } from './render/index';

type DemoState = 'loading' | 'ready' | 'running' | 'stopping' | 'finished' | 'stopped' | 'error';

interface Adaptation {
  task: Record<string, number>;
  /** Names of the task parameters set outside their training range. */
  outside: string[];
  steps: number;
  innerLr: number;
  returns: number[];
  seconds: number;
  metaEpisodeReturn: number;
  adaptedEpisodeReturn: number;
}

/** What the page has received, for the console and the browser tests (window.dmDemo). */
interface DemoRecord {
  state: DemoState;
  config: TrainConfig | null;
  backend: string | null;
  /** Threads that run the tasks of an iteration (the trainer's worker pool). */
  workers: number | null;
  /** What the tfjs backend did in the last run (webgl: shader programs run, GPU memory). */
  activity: BackendActivity | null;
  metrics: IterationMetrics[];
  policy: PolicyInfo | null;
  adaptation: Adaptation | null;
  /** 'playing' while the two episodes are drawn, 'done' when both reached their last frame. */
  playback: 'idle' | 'playing' | 'done';
  saved: string[];
  downloads: string[];
  /** The last result of a save or load ('saved …', 'loaded …', or an error). */
  store: { state: 'idle' | 'busy' | 'ok' | 'error'; message: string };
  adaptState: 'idle' | 'busy' | 'ok' | 'error';
}

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo.html has no element #${id}`);
  return el as T;
};

const envSelect = byId<HTMLSelectElement>('env');
const algoSelect = byId<HTMLSelectElement>('algo');
const backendSelect = byId<HTMLSelectElement>('backend');
const hiddenInput = byId<HTMLInputElement>('hidden');
const numberInputs = {
  iterations: byId<HTMLInputElement>('iterations'),
  metaBatch: byId<HTMLInputElement>('meta-batch'),
  episodes: byId<HTMLInputElement>('episodes'),
  maxSteps: byId<HTMLInputElement>('max-steps'),
  outerLr: byId<HTMLInputElement>('outer-lr'),
  seed: byId<HTMLInputElement>('seed'),
};
const startButton = byId<HTMLButtonElement>('start');
const stopButton = byId<HTMLButtonElement>('stop');
const statusLine = byId<HTMLDivElement>('status');
const lastIteration = byId<HTMLElement>('last-iteration');
const lastPre = byId<HTMLElement>('last-pre');
const lastPost = byId<HTMLElement>('last-post');
const curve = document.getElementById('curve') as unknown as SVGSVGElement;
const runConfig = byId<HTMLParagraphElement>('run-config');

const policyInfo = byId<HTMLParagraphElement>('policy-info');
const taskParams = byId<HTMLDivElement>('task-params');
const adaptInputs = {
  steps: byId<HTMLInputElement>('adapt-steps'),
  episodes: byId<HTMLInputElement>('adapt-episodes'),
  innerLr: byId<HTMLInputElement>('adapt-lr'),
  seed: byId<HTMLInputElement>('adapt-seed'),
};
const speedSelect = byId<HTMLSelectElement>('speed');
const adaptButton = byId<HTMLButtonElement>('adapt');
const replayButton = byId<HTMLButtonElement>('replay');
const adaptStatus = byId<HTMLDivElement>('adapt-status');
const returnsBox = byId<HTMLDivElement>('returns');
const canvases = { meta: byId<HTMLCanvasElement>('episode-meta'), adapted: byId<HTMLCanvasElement>('episode-adapted') };
const captions = { meta: byId<HTMLElement>('caption-meta'), adapted: byId<HTMLElement>('caption-adapted') };

const saveName = byId<HTMLInputElement>('save-name');
const saveWhich = byId<HTMLSelectElement>('save-which');
const saveIdbButton = byId<HTMLButtonElement>('save-idb');
const downloadButton = byId<HTMLButtonElement>('download');
const savedModels = byId<HTMLSelectElement>('saved-models');
const loadIdbButton = byId<HTMLButtonElement>('load-idb');
const loadFiles = byId<HTMLInputElement>('load-files');
const storeStatus = byId<HTMLDivElement>('store-status');

const record: DemoRecord = {
  state: 'loading', config: null, backend: null, workers: null, activity: null, metrics: [], policy: null, adaptation: null, playback: 'idle',
  saved: [], downloads: [], store: { state: 'idle', message: '' }, adaptState: 'idle',
};
(window as unknown as { dmDemo: DemoRecord }).dmDemo = record;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message: ToWorker): void => worker.postMessage(message);

/** An empty field is NaN (the worker's checks then name the field), not 0. */
const numberOf = (input: HTMLInputElement): number => (input.value.trim() === '' ? NaN : Number(input.value));
const formatReturn = (v: number): string => v.toFixed(2);
/** Task values are float32 in the library: show them at a readable precision. */
const formatParam = (v: number): string => String(Number(v.toPrecision(4)));

function showValue(el: HTMLElement, value: number, text: string): void {
  el.textContent = text;
  el.dataset.value = String(value); // full precision, as posted
}

// ---- enabling -------------------------------------------------------------------------------

const training = (): boolean => record.state === 'loading' || record.state === 'running' || record.state === 'stopping';

function updateControls(): void {
  const busy = training();
  startButton.disabled = busy;
  stopButton.disabled = record.state !== 'running';
  for (const el of [envSelect, algoSelect, backendSelect, hiddenInput, ...Object.values(numberInputs)]) el.disabled = busy;
  const canUsePolicy = !busy && record.policy !== null;
  adaptButton.disabled = !canUsePolicy || record.adaptState === 'busy';
  replayButton.disabled = record.adaptation === null;
  const storeBusy = busy || record.store.state === 'busy';
  saveIdbButton.disabled = !canUsePolicy || storeBusy;
  downloadButton.disabled = !canUsePolicy || storeBusy;
  loadIdbButton.disabled = storeBusy || record.saved.length === 0;
  loadFiles.disabled = storeBusy;
  saveWhich.options[1].disabled = record.adaptation === null;
  if (record.adaptation === null) saveWhich.value = 'meta';
}

// ---- per-environment starting values -------------------------------------------------------

/**
 * What the page starts with for each env (the config's defaults are sized for runs in Node): a
 * meta-batch of 10 tasks × 10 episodes, the env's own step limit, the config's outer rate, played
 * at twice the env's pace. LunarLander: a step limit of 400 (its own is 1000: an untrained policy
 * crashes within ~100 steps, but a hovering one would make every iteration sample 1000-step
 * episodes), 60 iterations at an outer rate of 3e-3 (measured in Node, seed 1, one thread: the
 * post-adaptation return went from −251 to 147 in 30 s; to 41 at 1e-3), played at real speed.
 */
interface PageSettings { hidden: string; iterations: number; metaBatch: number; episodes: number; maxSteps?: number; outerLr?: number; speed: number }
const FALLBACK_SETTINGS: PageSettings = { hidden: '64,64', iterations: 20, metaBatch: 10, episodes: 10, speed: 2 };
const PAGE_SETTINGS: Record<string, Partial<PageSettings>> = {
  'LunarLander-v2': { iterations: 60, maxSteps: 400, outerLr: 3e-3, speed: 1 },
  // The same world: the same step limit and pace (its training settings are not measured yet).
  'LunarLanderContinuous-v2': { maxSteps: 400, speed: 1 },
};
let envStepLimits: Record<string, number> = {};
let configDefaults: TrainConfig | null = null;

function settingsOf(env: string): PageSettings {
  return { ...FALLBACK_SETTINGS, maxSteps: envStepLimits[env], outerLr: configDefaults?.outerLr, ...PAGE_SETTINGS[env] };
}

function applyEnvSettings(env: string): void {
  const s = settingsOf(env);
  hiddenInput.value = s.hidden;
  numberInputs.iterations.value = String(s.iterations);
  numberInputs.metaBatch.value = String(s.metaBatch);
  numberInputs.episodes.value = String(s.episodes);
  numberInputs.maxSteps.value = s.maxSteps === undefined ? '' : String(s.maxSteps);
  numberInputs.outerLr.value = s.outerLr === undefined ? '' : String(s.outerLr);
  redrawCurve();
}
envSelect.addEventListener('change', () => applyEnvSettings(envSelect.value));

// ---- meta-training --------------------------------------------------------------------------

function redrawCurve(): void {
  const planned = record.config?.iterations ?? numberOf(numberInputs.iterations);
  drawCurve(curve, record.metrics, planned, record.state === 'running' ? 'waiting for the first iteration…' : 'press Start to meta-train');
}

function setState(state: DemoState, text: string): void {
  record.state = state;
  statusLine.dataset.state = state;
  statusLine.textContent = text;
  updateControls();
  if (record.metrics.length === 0) redrawCurve(); // the empty chart's message follows the state
}

function fillSelect(select: HTMLSelectElement, values: readonly string[], keep = select.value): void {
  select.replaceChildren(...values.map((v) => new Option(v, v, false, v === keep)));
}

function timing(): string {
  const seconds = record.metrics.reduce((s, m) => s + m.seconds, 0);
  const steps = record.metrics.reduce((s, m) => s + m.envSteps, 0);
  const perIteration = seconds / Math.max(1, record.metrics.length);
  return `${perIteration.toFixed(2)} s/iteration · ${Math.round(steps / Math.max(seconds, 1e-9)).toLocaleString('en')} env steps/s`;
}

function onMetrics(m: IterationMetrics): void {
  record.metrics.push(m);
  showValue(lastIteration, m.iteration, String(m.iteration));
  showValue(lastPre, m.preReturn, formatReturn(m.preReturn));
  showValue(lastPost, m.postReturn, formatReturn(m.postReturn));
  if (record.state === 'running') setState('running', `Iteration ${m.iteration} / ${record.config?.iterations} · ${timing()}`);
  redrawCurve();
}

function describeConfig(c: TrainConfig, backend: string, workers: number): string {
  return `${c.algo} on ${c.env} · meta-batch ${c.metaBatch} · ${c.episodes} episodes per task · max ${c.maxSteps} steps · `
    + `hidden ${c.hidden.join(',') || 'none'} ${c.activation} · inner lr ${c.innerLr} · outer lr ${c.outerLr} · seed ${c.seed} · tfjs ${backend} backend in a Web Worker`
    + ` · meta-gradient engine ${c.gradEngine}`
    + (workers > 1 ? `, tasks on ${workers} nested workers` : '');
}

/** "64, 64" → [64, 64]; "" → [] (a linear policy). Bad entries stay NaN for the config check to name. */
function hiddenOf(text: string): number[] {
  return text.trim() === '' ? [] : text.split(',').map((w) => (w.trim() === '' ? NaN : Number(w)));
}

byId<HTMLFormElement>('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  record.metrics = [];
  record.config = null;
  record.workers = null;
  for (const el of [lastIteration, lastPre, lastPost]) { el.textContent = '–'; delete el.dataset.value; }
  setState('running', 'Starting…');
  send({
    type: 'start',
    config: {
      env: envSelect.value,
      algo: algoSelect.value as TrainConfig['algo'], // checked by the worker's config schema
      backend: backendSelect.value as TrainConfig['backend'],
      hidden: hiddenOf(hiddenInput.value),
      iterations: numberOf(numberInputs.iterations),
      metaBatch: numberOf(numberInputs.metaBatch),
      episodes: numberOf(numberInputs.episodes),
      maxSteps: numberOf(numberInputs.maxSteps),
      outerLr: numberOf(numberInputs.outerLr),
      seed: numberOf(numberInputs.seed),
    },
  });
});
stopButton.addEventListener('click', () => {
  setState('stopping', `Stopping after iteration ${record.metrics.length + 1}…`);
  send({ type: 'stop' });
});

// ---- the task and its policy ----------------------------------------------------------------

/**
 * Slider bounds: the training range widened by half its width each side (a fixed value: ±50%; a
 * value fixed at 0, like the lander's wind: the whole physical domain), within that domain, on a
 * grid of a round step (1, 2 or 5 × 10^k, about 1/200 of the span) so that round values, the
 * medium task's among them, are on it.
 */
function sliderBounds(p: TaskParam): { min: number; max: number; step: number } {
  const width = p.high - p.low;
  let lo: number, hi: number;
  if (width > 0) [lo, hi] = [p.low - width / 2, p.high + width / 2];
  else if (p.low === 0) [lo, hi] = [p.min, p.max];
  else [lo, hi] = [p.low * 0.5, p.low * 1.5];
  if (hi < lo) [lo, hi] = [hi, lo];
  const raw = (hi - lo) / 200;
  const decade = 10 ** Math.floor(Math.log10(raw));
  const step = [5, 2, 1].map((m) => m * decade).find((s) => s <= raw)!;
  const onGrid = (v: number) => Number((Math.round(v / step) * step).toPrecision(12));
  lo = onGrid(Math.max(lo, p.min));
  hi = onGrid(Math.min(hi, p.max));
  if (lo < p.min || (lo === p.min && !p.minInclusive)) lo = onGrid(lo + step);
  if (hi > p.max || (hi === p.max && !p.maxInclusive)) hi = onGrid(hi - step);
  return { min: lo, max: hi, step };
}

const isOutside = (p: TaskParam, v: number): boolean => v < p.low - 1e-6 * Math.max(1, Math.abs(p.low)) || v > p.high + 1e-6 * Math.max(1, Math.abs(p.high));

function buildSliders(info: PolicyInfo): void {
  taskParams.replaceChildren(...info.params.map((p) => {
    const box = document.createElement('div');
    box.className = 'param';
    box.dataset.name = p.name;
    const { min, max, step } = sliderBounds(p);
    const trained = p.low === p.high ? `trained at ${formatParam(p.low)}` : `trained on [${formatParam(p.low)}, ${formatParam(p.high)}]`;
    box.innerHTML = `<div class="head"><span title="${p.description.replace(/"/g, '&quot;')}">${p.name}</span><span class="value"></span></div>`
      + `<input type="range" min="${min}" max="${max}" step="${step}" aria-label="${p.name}">`
      + `<div class="range">${trained} <span class="outside-mark">· outside the training range</span></div>`;
    const slider = box.querySelector('input') as HTMLInputElement;
    const value = box.querySelector('.value') as HTMLElement;
    const show = () => {
      const v = Number(slider.value);
      value.textContent = formatParam(v);
      box.dataset.outside = String(isOutside(p, v));
    };
    slider.value = String(info.medium[p.name]);
    slider.addEventListener('input', show);
    show();
    return box;
  }));
}

/** The task the sliders show, by name. */
function sliderTask(): Record<string, number> {
  const task: Record<string, number> = {};
  for (const box of Array.from(taskParams.querySelectorAll<HTMLDivElement>('.param'))) task[box.dataset.name!] = Number(box.querySelector('input')!.value);
  return task;
}

function describePolicy(info: PolicyInfo): string {
  const trained = info.algo ? `${info.algo}${info.iterations !== null ? `, ${info.iterations} iteration${info.iterations === 1 ? '' : 's'}` : ''}` : 'origin unknown';
  const lr = info.learnedRates ? `learned inner rates (mean ${info.innerLr.toPrecision(3)})` : `α ${info.innerLr}`;
  return `Policy: ${info.env} · ${trained} · ${info.origin} · hidden ${info.hidden.join(',') || 'none'} ${info.activation} · ${lr}`;
}

function onPolicy(info: PolicyInfo): void {
  if (record.policy?.env !== info.env) speedSelect.value = String(settingsOf(info.env).speed);
  record.policy = info;
  record.adaptation = null;
  policyInfo.textContent = describePolicy(info);
  policyInfo.dataset.hasPolicy = 'true';
  buildSliders(info);
  returnsBox.replaceChildren();
  stopPlayback();
  for (const key of ['meta', 'adapted'] as const) {
    const ctx = canvases[key].getContext('2d')!;
    ctx.clearRect(0, 0, canvases[key].width, canvases[key].height);
  }
  const base = `${info.env}-${info.algo ?? 'policy'}${info.iterations !== null ? `-${info.iterations}it` : ''}`;
  saveName.value = base.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  updateControls();
}

function setAdaptStatus(state: DemoRecord['adaptState'], text: string): void {
  record.adaptState = state;
  adaptStatus.dataset.state = state;
  adaptStatus.textContent = text;
  updateControls();
}

byId<HTMLFormElement>('adapt-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!record.policy) return;
  const lrText = adaptInputs.innerLr.value.trim();
  const request: AdaptRequest = {
    task: sliderTask(),
    steps: numberOf(adaptInputs.steps),
    episodes: numberOf(adaptInputs.episodes),
    innerLr: lrText === '' ? null : Number(lrText),
    seed: numberOf(adaptInputs.seed),
  };
  setAdaptStatus('busy', `Adapting for ${request.steps} step${request.steps === 1 ? '' : 's'}…`);
  send({ type: 'adapt', request });
});

function showReturns(returns: number[]): void {
  const top = Math.max(1e-9, ...returns.map(Math.abs));
  returnsBox.replaceChildren(...returns.map((r, j) => {
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.dataset.value = String(r);
    bar.innerHTML = `<span>${r.toFixed(1)}</span><div class="fill" style="height:${Math.max(2, (60 * Math.abs(r)) / top).toFixed(0)}px"></div><span>after ${j}</span>`;
    return bar;
  }));
}

function onAdapted(message: Extract<FromWorker, { type: 'adapted' }>): void {
  const info = record.policy!;
  const outside = info.params.filter((p) => isOutside(p, message.task[p.name])).map((p) => p.name);
  record.adaptation = {
    task: message.task, outside, steps: message.steps, innerLr: message.innerLr, returns: message.returns, seconds: message.seconds,
    metaEpisodeReturn: message.meta.return, adaptedEpisodeReturn: message.adapted.return,
  };
  showReturns(message.returns);
  const taskText = info.params.filter((p) => p.low !== p.high || outside.includes(p.name)).map((p) => `${p.name} ${formatParam(message.task[p.name])}`).join(', ');
  const r = message.returns;
  setAdaptStatus('ok', `Task ${taskText || '(medium)'}${outside.length ? ` — outside the training range: ${outside.join(', ')}` : ''} · `
    + `mean return ${r[0].toFixed(1)} → ${r[r.length - 1].toFixed(1)} after ${message.steps} step${message.steps === 1 ? '' : 's'} `
    + `(${message.episodes} episodes per step, α ${message.innerLr.toPrecision(3)}, ${(message.seconds * 1000).toFixed(0)} ms)`);
  captions.meta.innerHTML = `meta-policy θ · this episode: <b>${message.meta.return.toFixed(1)}</b>`;
  captions.adapted.innerHTML = `adapted θ′ after ${message.steps} step${message.steps === 1 ? '' : 's'} · this episode: <b>${message.adapted.return.toFixed(1)}</b>`;
  episodes = { meta: playable(message.meta), adapted: playable(message.adapted) };
  play();
}

// ---- playback -------------------------------------------------------------------------------

/** An episode ready to play: its frames and the return after each step (so a frame costs O(1)). */
interface Playable { ep: EpisodeFrames; returns: Float64Array }
let episodes: { meta: Playable; adapted: Playable } | null = null;
let animation = 0;

function playable(ep: EpisodeFrames): Playable {
  const returns = new Float64Array(ep.length + 1);
  for (let t = 0; t < ep.length; t++) returns[t + 1] = returns[t] + ep.rewards[t];
  return { ep, returns };
}

function frameOf({ ep, returns }: Playable, step: number): RenderFrame {
  const s = Math.max(0, Math.min(step, ep.length));
  return {
    scene: ep.scene, step: s, return: returns[s],
    reward: s > 0 ? ep.rewards[s - 1] : 0, end: s === ep.length ? (ep.terminated ? 'terminated' : 'truncated') : null,
  };
}

/** A plain readout for an env without a renderer module. */
function drawWithoutRenderer(ctx: CanvasRenderingContext2D, frame: RenderFrame): void {
  const { width, height } = ctx.canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#1f2328';
  ctx.font = '13px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillText(`${frame.scene.env}: no renderer · step ${frame.step} · return ${frame.return.toFixed(1)}`, 10, 10);
}

/** Draws both episodes at `step` (each held at its last frame once over); true when both are over. */
function drawAt(step: number): boolean {
  if (!episodes) return true;
  let finished = true;
  for (const key of ['meta', 'adapted'] as const) {
    const p = episodes[key];
    const frame = frameOf(p, step);
    const ctx = canvases[key].getContext('2d')!;
    const renderer = rendererFor(frame.scene.env);
    if (renderer) renderer.draw(ctx, frame); else drawWithoutRenderer(ctx, frame);
    if (step < p.ep.length) finished = false;
  }
  return finished;
}

function stopPlayback(): void {
  cancelAnimationFrame(animation);
  record.playback = 'idle';
}

/**
 * Plays both episodes together at the env's pace times the speed factor. Simulated time advances
 * by each animation frame's duration times the speed read then (a speed change applies from there
 * on), and a frame is drawn only when the step changed.
 */
function play(): void {
  stopPlayback();
  if (!episodes) return;
  const stepSeconds = episodes.meta.ep.scene.stepSeconds;
  let simSeconds = 0, last: number | null = null, drawn = -1;
  record.playback = 'playing';
  const tick = (now: number) => {
    // Capped so that a tab in the background does not jump to the end when it comes back.
    if (last !== null) simSeconds += (Math.min(Math.max(0, now - last), 100) / 1000) * Number(speedSelect.value);
    last = now;
    const step = Math.floor(simSeconds / stepSeconds);
    if (step !== drawn) {
      drawn = step;
      if (drawAt(step)) {
        record.playback = 'done';
        return;
      }
    }
    animation = requestAnimationFrame(tick);
  };
  animation = requestAnimationFrame(tick);
  updateControls();
}
replayButton.addEventListener('click', play);

// ---- save and load --------------------------------------------------------------------------

function setStore(state: DemoRecord['store']['state'], message: string): void {
  record.store = { state, message };
  storeStatus.dataset.state = state;
  storeStatus.textContent = message;
  updateControls();
}

byId<HTMLFormElement>('save-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setStore('busy', `Saving ${saveName.value} to IndexedDB…`);
  send({ type: 'save', name: saveName.value, which: saveWhich.value as 'meta' | 'adapted', to: 'indexeddb' });
});
downloadButton.addEventListener('click', () => {
  setStore('busy', `Preparing ${saveName.value} for download…`);
  send({ type: 'save', name: saveName.value, which: saveWhich.value as 'meta' | 'adapted', to: 'download' });
});
byId<HTMLFormElement>('load-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!savedModels.value) return;
  setStore('busy', `Loading ${savedModels.value} from IndexedDB…`);
  send({ type: 'load', from: 'indexeddb', name: savedModels.value });
});
loadFiles.addEventListener('change', () => {
  const files = Array.from(loadFiles.files ?? []);
  if (files.length === 0) return;
  setStore('busy', `Loading ${files.map((f) => f.name).join(', ')}…`);
  send({ type: 'load', from: 'files', files });
  loadFiles.value = '';
});

/** Saves the two files of a tfjs download (what tf.io.browserDownloads writes) through links. */
function download(name: string, modelJson: string, weights: ArrayBuffer): void {
  const files: [string, Blob][] = [
    [`${name}.json`, new Blob([modelJson], { type: 'application/json' })],
    [`${name}.weights.bin`, new Blob([weights], { type: 'application/octet-stream' })],
  ];
  for (const [fileName, blob] of files) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    record.downloads.push(fileName);
  }
}

// ---- messages from the worker ---------------------------------------------------------------

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'ready':
      record.backend = message.backend;
      envStepLimits = message.maxEpisodeSteps;
      configDefaults = message.defaults;
      fillSelect(envSelect, message.envIds);
      applyEnvSettings(envSelect.value);
      fillSelect(algoSelect, message.algos);
      fillSelect(backendSelect, message.backends, 'wasm');
      setState('ready', `Ready: the library is initialised in a Web Worker (tfjs ${message.backend} backend).`);
      send({ type: 'list' });
      break;
    case 'started':
      record.config = message.config;
      record.backend = message.backend;
      record.policy = null;
      record.adaptation = null;
      policyInfo.textContent = 'Meta-training… the policy appears here when the run ends (or is stopped).';
      policyInfo.dataset.hasPolicy = 'false';
      taskParams.replaceChildren();
      returnsBox.replaceChildren();
      stopPlayback();
      record.workers = message.workers;
      record.activity = null;
      runConfig.textContent = describeConfig(message.config, message.backend, message.workers);
      setState('running', `Running: iteration 1 / ${message.config.iterations}…`);
      break;
    case 'metrics':
      onMetrics(message.metrics);
      break;
    case 'done': {
      const verb = message.reason === 'finished' ? 'Finished' : 'Stopped after';
      record.activity = message.activity;
      const a = message.activity;
      const gl = a.shaderRuns === null ? '' : ` · webgl ran ${a.shaderRuns.toLocaleString('en')} shader programs (${((a.gpuBytes ?? 0) / 2 ** 20).toFixed(0)} MiB of textures)`;
      setState(message.reason, `${verb} ${message.iterations} iteration${message.iterations === 1 ? '' : 's'} · ${timing()}${gl}`);
      break;
    }
    case 'policy':
      onPolicy(message.info);
      if (record.store.state === 'busy') setStore('ok', `Loaded: ${message.info.origin}.`);
      break;
    case 'adapted':
      onAdapted(message);
      break;
    case 'saved':
      setStore('ok', `Saved the ${message.which === 'meta' ? 'meta-policy' : 'adapted policy'} to IndexedDB as ${message.name}.`);
      send({ type: 'list' });
      break;
    case 'download':
      download(message.name, message.modelJson, message.weights);
      setStore('ok', `Downloaded ${message.name}.json and ${message.name}.weights.bin (tfjs LayersModel).`);
      break;
    case 'models':
      record.saved = message.names;
      fillSelect(savedModels, message.names, saveName.value);
      updateControls();
      break;
    case 'error':
      if (message.during === 'start' || message.during === 'init') setState('error', `Error: ${message.message}`);
      else if (message.during === 'adapt') setAdaptStatus('error', `Error: ${message.message}`);
      else setStore('error', `Error: ${message.message}`);
      break;
  }
});
worker.addEventListener('error', (event) => setState('error', `Error in the worker: ${event.message || 'it could not be loaded'}`));

setState('loading', 'Loading the library in a Web Worker…');
