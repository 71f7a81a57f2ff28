// Panel 1 · Meta-train: the form (env, algorithm, backend, sizes, seed), Start and Stop, the status
// line and the last iteration's returns. Choosing an env sets the page's starting values for it.
import type { FromWorker, ToWorker } from '../worker';
import type { IterationMetrics, TrainConfig } from '../../index';
import { byId, numberOf, formatReturn, showValue, fillSelect, setStatus, type Typed } from './dom';
import { training, type DemoRecord, type DemoState } from './record';
import { settingsOf, DEFAULT_ENV, type PageSettings } from './settings';

type Ready = Extract<FromWorker, { type: 'ready' }>;

export interface TrainPanel {
  /** The env chosen in the form. */
  env(): string;
  /** The page's starting values for `env` (the worker's step limits and config defaults once ready). */
  settings(env: string): PageSettings;
  /** Iterations the curve's axis spans: the run's, or the form's. */
  plannedIterations(): number;
  /** What an untrained policy of the chosen env is made from (the form's sizes and seed). */
  untrainedFields(): Extract<ToWorker, { type: 'untrained' }>['config'];
  /** The form's fields by config name: label and text, for errors in the page's words. */
  typed(): Record<string, Typed>;
  setState(state: DemoState, text: string): void;
  onReady(message: Ready): void;
  onStarted(message: Extract<FromWorker, { type: 'started' }>): void;
  onMetrics(m: IterationMetrics): void;
  onDone(message: Extract<FromWorker, { type: 'done' }>): void;
  /** Forgets the last run's numbers (a new env, a new run). */
  clearRun(): void;
  update(): void;
}

export interface TrainDeps {
  record: DemoRecord;
  send(message: ToWorker): void;
  /** After the form took an env's starting values (on load and when the env changes). */
  onEnv(env: string): void;
  /** After a field the untrained policy is made from changed (hidden sizes, seed, max steps). */
  onUntrainedFields(): void;
  /** The curve follows the state and the planned iterations. */
  redrawCurve(): void;
  refresh(): void;
}

/** "64, 64" → [64, 64]; "" → [] (a linear policy). Bad entries stay NaN for the config check to name. */
function hiddenOf(text: string): number[] {
  return text.trim() === '' ? [] : text.split(',').map((w) => (w.trim() === '' ? NaN : Number(w)));
}

export function trainPanel({ record, send, onEnv, onUntrainedFields, redrawCurve, refresh }: TrainDeps): TrainPanel {
  const envSelect = byId<HTMLSelectElement>('env');
  const algoSelect = byId<HTMLSelectElement>('algo');
  const backendSelect = byId<HTMLSelectElement>('backend');
  const hiddenInput = byId<HTMLInputElement>('hidden');
  const numbers = {
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
  const last = { iteration: byId<HTMLElement>('last-iteration'), pre: byId<HTMLElement>('last-pre'), post: byId<HTMLElement>('last-post') };
  const runConfig = byId<HTMLParagraphElement>('run-config');
  let stepLimits: Record<string, number> = {};
  let defaults: TrainConfig | null = null;

  const settings = (env: string): PageSettings => settingsOf(env, stepLimits[env], defaults?.outerLr);

  function applyEnv(env: string): void {
    const s = settings(env);
    hiddenInput.value = s.hidden;
    numbers.iterations.value = String(s.iterations);
    numbers.metaBatch.value = String(s.metaBatch);
    numbers.episodes.value = String(s.episodes);
    numbers.maxSteps.value = s.maxSteps === undefined ? '' : String(s.maxSteps);
    numbers.outerLr.value = s.outerLr === undefined ? '' : String(s.outerLr);
    onEnv(env);
  }

  function timing(): string {
    const seconds = record.metrics.reduce((s, m) => s + m.seconds, 0);
    const steps = record.metrics.reduce((s, m) => s + m.envSteps, 0);
    const perIteration = seconds / Math.max(1, record.metrics.length);
    return `${perIteration.toFixed(2)} s/iteration · ${Math.round(steps / Math.max(seconds, 1e-9)).toLocaleString('en')} env steps/s`;
  }

  function describeConfig(c: TrainConfig, backend: string, workers: number): string {
    return `${c.algo} on ${c.env} · meta-batch ${c.metaBatch} · ${c.episodes} episodes per task · max ${c.maxSteps} steps · `
      + `hidden ${c.hidden.join(',') || 'none'} ${c.activation} · inner lr ${c.innerLr} · outer lr ${c.outerLr} · seed ${c.seed} · tfjs ${backend} backend in a Web Worker`
      + ` · meta-gradient engine ${c.gradEngine}`
      + (workers > 1 ? `, tasks on ${workers} nested workers` : '');
  }

  const panel: TrainPanel = {
    env: () => envSelect.value,
    settings,
    plannedIterations: () => record.config?.iterations ?? numberOf(numbers.iterations),
    untrainedFields: () => ({ env: envSelect.value, hidden: hiddenOf(hiddenInput.value), seed: numberOf(numbers.seed), maxSteps: numberOf(numbers.maxSteps) }),
    typed: () => ({
      env: { label: 'Environment', text: envSelect.value },
      algo: { label: 'Algorithm', text: algoSelect.value },
      backend: { label: 'Backend', text: backendSelect.value },
      hidden: { label: 'Hidden sizes', text: hiddenInput.value },
      iterations: { label: 'Iterations', text: numbers.iterations.value },
      metaBatch: { label: 'Meta-batch', text: numbers.metaBatch.value },
      episodes: { label: 'Episodes / task', text: numbers.episodes.value },
      maxSteps: { label: 'Max steps', text: numbers.maxSteps.value },
      outerLr: { label: 'Outer lr', text: numbers.outerLr.value },
      seed: { label: 'Seed', text: numbers.seed.value },
    }),
    setState(state, text) {
      record.state = state;
      setStatus(statusLine, state, text);
      refresh();
      if (record.metrics.length === 0) redrawCurve(); // the empty chart's message follows the state
    },
    onReady(message) {
      record.backend = message.backend;
      stepLimits = message.maxEpisodeSteps;
      defaults = message.defaults;
      fillSelect(envSelect, message.envIds, message.envIds.includes(DEFAULT_ENV) ? DEFAULT_ENV : message.envIds[0]);
      fillSelect(algoSelect, message.algos);
      fillSelect(backendSelect, message.backends, 'wasm');
      panel.setState('ready', `Ready: the library is initialised in a Web Worker (tfjs ${message.backend} backend).`);
      applyEnv(envSelect.value);
    },
    onStarted(message) {
      record.config = message.config;
      record.backend = message.backend;
      record.workers = message.workers;
      record.activity = null;
      runConfig.textContent = describeConfig(message.config, message.backend, message.workers);
      panel.setState('running', `Running: iteration 1 / ${message.config.iterations}…`);
    },
    onMetrics(m) {
      record.metrics.push(m);
      showValue(last.iteration, m.iteration, String(m.iteration));
      showValue(last.pre, m.preReturn, formatReturn(m.preReturn));
      showValue(last.post, m.postReturn, formatReturn(m.postReturn));
      if (record.state === 'running') panel.setState('running', `Iteration ${m.iteration} / ${record.config?.iterations} · ${timing()}`);
      redrawCurve();
    },
    onDone(message) {
      const verb = message.reason === 'finished' ? 'Finished' : 'Stopped after';
      record.activity = message.activity;
      const a = message.activity;
      const gl = a.shaderRuns === null ? '' : ` · webgl ran ${a.shaderRuns.toLocaleString('en')} shader programs (${((a.gpuBytes ?? 0) / 2 ** 20).toFixed(0)} MiB of textures)`;
      panel.setState(message.reason, `${verb} ${message.iterations} iteration${message.iterations === 1 ? '' : 's'} · ${timing()}${gl}`);
    },
    clearRun() {
      record.metrics = [];
      record.config = null;
      record.workers = null;
      record.activity = null;
      runConfig.textContent = '';
      for (const el of Object.values(last)) { el.textContent = '–'; delete el.dataset.value; }
      redrawCurve();
    },
    update() {
      const busy = training(record);
      startButton.disabled = busy;
      stopButton.disabled = record.state !== 'running';
      for (const el of [envSelect, algoSelect, backendSelect, hiddenInput, ...Object.values(numbers)]) el.disabled = busy;
    },
  };

  envSelect.addEventListener('change', () => applyEnv(envSelect.value));
  for (const el of [hiddenInput, numbers.seed, numbers.maxSteps]) el.addEventListener('change', onUntrainedFields);
  numbers.iterations.addEventListener('input', () => { if (record.metrics.length === 0) redrawCurve(); });
  byId<HTMLFormElement>('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    panel.clearRun();
    panel.setState('running', 'Starting…');
    send({
      type: 'start',
      config: {
        env: envSelect.value,
        algo: algoSelect.value as TrainConfig['algo'], // checked by the worker's config schema
        backend: backendSelect.value as TrainConfig['backend'],
        hidden: hiddenOf(hiddenInput.value),
        iterations: numberOf(numbers.iterations),
        metaBatch: numberOf(numbers.metaBatch),
        episodes: numberOf(numbers.episodes),
        maxSteps: numberOf(numbers.maxSteps),
        outerLr: numberOf(numbers.outerLr),
        seed: numberOf(numbers.seed),
      },
    });
  });
  stopButton.addEventListener('click', () => {
    panel.setState('stopping', `Stopping after iteration ${record.metrics.length + 1}…`);
    send({ type: 'stop' });
  });
  return panel;
}
