// The browser demo's page script (demo.html): a form, start/stop, and a live curve of the pre- and
// post-adaptation returns. All training runs in worker.ts; this thread only sends the config and
// draws what the worker posts, so the page never blocks. It imports no library code (types only).
import type { FromWorker, ToWorker } from './worker';
import type { IterationMetrics, TrainConfig } from '../index';

type DemoState = 'loading' | 'ready' | 'running' | 'stopping' | 'finished' | 'stopped' | 'error';

/** What the page has received, for the console and the browser test (window.dmDemo). */
interface DemoRecord {
  state: DemoState;
  config: TrainConfig | null;
  /** Threads that run the tasks of an iteration (the trainer's worker pool). */
  workers: number | null;
  metrics: IterationMetrics[];
}

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo.html has no element #${id}`);
  return el as T;
};

const form = byId<HTMLFormElement>('controls');
const envSelect = byId<HTMLSelectElement>('env');
const algoSelect = byId<HTMLSelectElement>('algo');
const numberInputs = {
  iterations: byId<HTMLInputElement>('iterations'),
  metaBatch: byId<HTMLInputElement>('meta-batch'),
  episodes: byId<HTMLInputElement>('episodes'),
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

const record: DemoRecord = { state: 'loading', config: null, workers: null, metrics: [] };
(window as unknown as { dmDemo: DemoRecord }).dmDemo = record;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message: ToWorker): void => worker.postMessage(message);

function setState(state: DemoState, text: string): void {
  record.state = state;
  statusLine.dataset.state = state;
  statusLine.textContent = text;
  const busy = state === 'loading' || state === 'running' || state === 'stopping';
  startButton.disabled = busy;
  stopButton.disabled = state !== 'running';
  for (const el of [envSelect, algoSelect, ...Object.values(numberInputs)]) el.disabled = busy;
  if (record.metrics.length === 0) drawCurve(); // the empty chart's message follows the state
}

function fillSelect(select: HTMLSelectElement, values: readonly string[]): void {
  const keep = select.value;
  select.replaceChildren(...values.map((v) => new Option(v, v, false, v === keep)));
}

/** An empty field is NaN (the worker's config check then names the field), not 0. */
const numberOf = (input: HTMLInputElement): number => (input.value.trim() === '' ? NaN : Number(input.value));

const formatReturn = (v: number): string => v.toFixed(2);

function showValue(el: HTMLElement, value: number, text: string): void {
  el.textContent = text;
  el.dataset.value = String(value); // full precision, as posted
}

// ---- the curve ------------------------------------------------------------------------------

const WIDTH = 800;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 20, top: 44, bottom: 52 };
const PLOT_INSET = 8; // keeps the first and last points off the axes

/** 1, 2 or 5 times a power of ten, giving about `ticks` intervals over `span`. */
function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

function drawCurve(): void {
  const ms = record.metrics;
  const planned = record.config?.iterations ?? numberOf(numberInputs.iterations);
  const iterations = Math.max(Number.isFinite(planned) ? planned : 1, ms.length, 2);
  const values = ms.flatMap((m) => [m.preReturn, m.postReturn]);
  let lo = Math.min(0, ...values);
  let hi = values.length ? Math.max(...values) : 10;
  if (hi - lo < 1e-9) hi = lo + 1;
  const yStep = niceStep(hi - lo, 5);
  lo = Math.floor(lo / yStep) * yStep;
  hi = Math.ceil(hi / yStep) * yStep;

  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  const y0 = HEIGHT - MARGIN.bottom;
  const y1 = MARGIN.top;
  const sx = (i: number): number => x0 + PLOT_INSET + ((i - 1) / (iterations - 1)) * (x1 - x0 - 2 * PLOT_INSET);
  const sy = (v: number): number => y0 - ((v - lo) / (hi - lo)) * (y0 - y1);
  const f = (v: number): string => v.toFixed(1);

  const parts: string[] = [];
  const yDecimals = Math.max(0, -Math.floor(Math.log10(yStep)));
  for (let v = lo; v <= hi + yStep / 2; v += yStep) {
    parts.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${f(sy(v))}" y2="${f(sy(v))}"/>`,
      `<text x="${x0 - 8}" y="${f(sy(v) + 4)}" text-anchor="end">${v.toFixed(yDecimals)}</text>`);
  }
  const xStep = Math.max(1, Math.round(niceStep(iterations - 1, 10)));
  for (let i = 1; i <= iterations; i += i === 1 && xStep > 1 ? xStep - 1 : xStep) {
    parts.push(`<line class="axis" x1="${f(sx(i))}" x2="${f(sx(i))}" y1="${y0}" y2="${y0 + 5}"/>`,
      `<text x="${f(sx(i))}" y="${y0 + 19}" text-anchor="middle">${i}</text>`);
  }
  parts.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/>`,
    `<line class="axis" x1="${x0}" x2="${x0}" y1="${y1}" y2="${y0}"/>`,
    `<text class="axis-label" x="${(x0 + x1) / 2}" y="${HEIGHT - 10}" text-anchor="middle">meta-iteration</text>`,
    `<text class="axis-label" transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">mean episode return</text>`);

  const series: { key: 'preReturn' | 'postReturn'; cls: string; label: string }[] = [
    { key: 'preReturn', cls: 'pre', label: 'pre-adaptation return (θ)' },
    { key: 'postReturn', cls: 'post', label: 'post-adaptation return (θ′ per task)' },
  ];
  let legendX = x0;
  for (const s of series) {
    const points = ms.map((m) => `${f(sx(m.iteration))},${f(sy(m[s.key]))}`);
    if (points.length > 1) parts.push(`<polyline class="${s.cls}" points="${points.join(' ')}"/>`);
    for (const m of ms) {
      parts.push(`<circle class="${s.cls} point" cx="${f(sx(m.iteration))}" cy="${f(sy(m[s.key]))}" r="3.5"><title>iteration ${m.iteration}: ${formatReturn(m[s.key])}</title></circle>`);
    }
    parts.push(`<line class="${s.cls}" x1="${legendX}" x2="${legendX + 24}" y1="18" y2="18" stroke-width="2"/>`,
      `<circle class="${s.cls}" cx="${legendX + 12}" cy="18" r="3.5"/>`,
      `<text x="${legendX + 32}" y="22" class="axis-label">${s.label}</text>`);
    legendX += 40 + s.label.length * 7.2;
  }
  if (ms.length === 0) {
    const message = record.state === 'running' ? 'waiting for the first iteration…' : 'press Start to meta-train';
    parts.push(`<text class="empty" x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle">${message}</text>`);
  }
  curve.innerHTML = parts.join('');
}

// ---- status ---------------------------------------------------------------------------------

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
  drawCurve();
}

function describeConfig(c: TrainConfig, backend: string, workers: number): string {
  return `${c.algo} on ${c.env} · meta-batch ${c.metaBatch} · ${c.episodes} episodes per task · max ${c.maxSteps} steps · `
    + `hidden ${c.hidden.join(',')} ${c.activation} · inner lr ${c.innerLr} · outer lr ${c.outerLr} · seed ${c.seed} · tfjs ${backend} backend in a Web Worker`
    + (workers > 1 ? `, tasks on ${workers} nested workers` : '');
}

let backend = 'wasm';

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'ready':
      backend = message.backend;
      fillSelect(envSelect, message.envIds);
      fillSelect(algoSelect, message.algos);
      setState('ready', `Ready: tfjs ${message.backend} backend initialised in a Web Worker.`);
      break;
    case 'started':
      record.config = message.config;
      record.workers = message.workers;
      runConfig.textContent = describeConfig(message.config, backend, message.workers);
      setState('running', `Running: iteration 1 / ${message.config.iterations}…`);
      break;
    case 'metrics':
      onMetrics(message.metrics);
      break;
    case 'done': {
      const verb = message.reason === 'finished' ? 'Finished' : 'Stopped after';
      setState(message.reason, `${verb} ${message.iterations} iteration${message.iterations === 1 ? '' : 's'} · ${timing()}`);
      break;
    }
    case 'error':
      setState('error', `Error: ${message.message}`);
      break;
  }
});
worker.addEventListener('error', (event) => setState('error', `Error in the worker: ${event.message || 'it could not be loaded'}`));

form.addEventListener('submit', (event) => {
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
      iterations: numberOf(numberInputs.iterations),
      metaBatch: numberOf(numberInputs.metaBatch),
      episodes: numberOf(numberInputs.episodes),
      seed: numberOf(numberInputs.seed),
    },
  });
});
stopButton.addEventListener('click', () => {
  setState('stopping', `Stopping after iteration ${record.metrics.length + 1}…`);
  send({ type: 'stop' });
});

setState('loading', 'Loading the library in a Web Worker…');
