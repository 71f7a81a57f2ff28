// The same training job (bench/runtimes/job.mjs: directed-maml on CartPole-v1 at the defaults) in
// Node, Bun, Deno (their npm packages), a Chromium page (tfjs wasm) and a Chromium Web Worker
// (wasm): the default job, whose meta-gradients run in the WASM engine. Then the job with the tfjs
// engine (meta-gradients by tf.grads on the tfjs backend) in Node and a Chromium page (wasm
// backend), and a Chromium page on WebGL (software GL here), where the config's defaults give the
// tfjs engine in one thread — with the WASM engine webgl would have nothing to compute. Prints
// seconds per iteration and the ratio to Node's run of the same engine, and checks that every wasm
// runtime gives that Node run's metrics and final θ exactly (timing fields aside): the RNG, the
// envs, the sampler, the WASM kernels and tfjs's wasm kernels are deterministic across runtimes.
// WebGL's float32 GPU arithmetic differs in the last bits (meta-gradients within ~2e-6,
// test/browser/webgl.browser.ts), so its results are reported, not required to match.
//
// Run: npm run bench:runtimes [-- --iterations 10] [--seed 1] [--only node,bun,deno,page,worker,node-tfjs,page-tfjs,webgl]
// Seconds per iteration: the mean over iterations 2..N (iteration 1 also pays for compiling the
// WASM modules and warming tfjs); every runtime does the same work, the same episodes, so the
// ratio is the runtime's. Measured in sequence on a shared machine: run it twice.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dm from 'directed-maml';
import { startServer, launchChromium, CONTENT_TYPES } from '../test/browser/harness';

interface JobResult { backend: string; gradEngine: string; workers: number; seconds: number; metrics: dm.IterationMetrics[]; theta: number[] }
/** engine: the group a row belongs to (its reference is Node's row of that engine); compare: it must equal the reference exactly. */
interface Row { name: string; version: string; engine: 'wasm' | 'tfjs'; result: JobResult | null; error?: string; compare: boolean }

const argument = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const ITERATIONS = Number(argument('iterations', '10'));
const SEED = Number(argument('seed', '1'));
const ONLY = argument('only', 'node,bun,deno,page,worker,node-tfjs,page-tfjs,webgl').split(',');
if (!Number.isInteger(ITERATIONS) || ITERATIONS < 2) {
  console.error(`iterations: got ${ITERATIONS}; allowed: an integer >= 2 (iteration 1 is a warm-up)`);
  process.exit(2);
}

const JOB_DIR = fileURLToPath(new URL('./runtimes/', import.meta.url));
const CLI = fileURLToPath(new URL('./runtimes/cli.mjs', import.meta.url));

function serverRuntime(name: string, command: string, args: string[], versionArgs: string[], engine: Row['engine']): Row {
  const version = (spawnSync(command, versionArgs, { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '?').replace(/^deno /, '').replace(/ .*/, '');
  const engineArgs = engine === 'tfjs' ? ['tfjs'] : [];
  const run = spawnSync(command, [...args, CLI, String(ITERATIONS), String(SEED), ...engineArgs], { encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 64 << 20 });
  if (run.status !== 0) return { name, version, engine, result: null, error: (run.stderr || run.error?.message || '').trim().split('\n').pop(), compare: true };
  return { name, version, engine, result: JSON.parse(run.stdout.trim().split('\n').pop()!), compare: true };
}

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench/runtimes</title></head>
<body><script type="module">
  import * as dm from '/index.js';
  import { trainingJob } from '/bench/job.mjs';
  window.inPage = async (backend, options) => {
    await dm.init({ backend, wasmPaths: new URL('/', location.href).href });
    return trainingJob(dm, { ...options, backend });
  };
  window.inWorker = (options) => new Promise((resolve, reject) => {
    const worker = new Worker('/bench-worker.js', { type: 'module' });
    worker.onmessage = (event) => { worker.terminate(); event.data.ok ? resolve(event.data.result) : reject(new Error(event.data.error)); };
    worker.onerror = (event) => { worker.terminate(); reject(new Error(event.message || 'the worker could not be loaded')); };
    worker.postMessage(options);
  });
  window.benchReady = true;
</script></body></html>`;

const WORKER_JS = `
  import * as dm from '/index.js';
  import { trainingJob } from '/bench/job.mjs';
  self.onmessage = async (event) => {
    try {
      await dm.init({ backend: 'wasm', wasmPaths: new URL('/', location.href).href });
      self.postMessage({ ok: true, result: await trainingJob(dm, event.data) });
    } catch (err) {
      self.postMessage({ ok: false, error: String((err && err.stack) || err) });
    }
  };
`;

async function browserRuntimes(): Promise<Row[]> {
  const wanted = ['page', 'worker', 'page-tfjs', 'webgl'].filter((n) => ONLY.includes(n));
  if (wanted.length === 0) return [];
  const profile = await mkdtemp(join(tmpdir(), 'dm-bench-runtimes-'));
  const { server, url } = await startServer({
    '/bench.html': { type: CONTENT_TYPES['.html'], body: PAGE_HTML },
    '/bench-worker.js': { type: CONTENT_TYPES['.js'], body: WORKER_JS },
  }, { '/bench/': JOB_DIR });
  const context = await launchChromium(profile);
  const rows: Row[] = [];
  try {
    const version = `Chromium ${context.browser()?.version() ?? '?'}`;
    const options = { iterations: ITERATIONS, seed: SEED };
    const jobs: Record<string, { call: string; label: string; engine: Row['engine'] }> = {
      page: { call: 'window.inPage("wasm", options)', label: 'Chromium page', engine: 'wasm' },
      worker: { call: 'window.inWorker(options)', label: 'Chromium Web Worker', engine: 'wasm' },
      'page-tfjs': { call: 'window.inPage("wasm", { ...options, gradEngine: "tfjs" })', label: 'Chromium page', engine: 'tfjs' },
      // The config's defaults for webgl: the tfjs engine, one thread.
      webgl: { call: 'window.inPage("webgl", options)', label: 'Chromium page', engine: 'tfjs' },
    };
    for (const name of wanted) {
      const job = jobs[name];
      // A fresh page for each: its own tfjs and WASM instances.
      const page = await context.newPage();
      await page.goto(`${url}bench.html`);
      await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, undefined, { timeout: 30_000 });
      try {
        const result = await page.evaluate(`((options) => ${job.call})(${JSON.stringify(options)})`) as JobResult;
        rows.push({ name: job.label, version, engine: job.engine, result, compare: name !== 'webgl' });
      } catch (err) {
        rows.push({ name: job.label, version, engine: job.engine, result: null, error: String(err).split('\n')[0], compare: name !== 'webgl' });
      }
      await page.close();
    }
  } finally {
    await context.close();
    server.closeAllConnections();
    server.close();
    await rm(profile, { recursive: true, force: true });
  }
  return rows;
}

/** Mean seconds of iterations 2..N. */
function secondsPerIteration(r: JobResult): number {
  const later = r.metrics.slice(1);
  return later.reduce((s, m) => s + m.seconds, 0) / later.length;
}

/** The first metric (timing fields aside) where `a` differs from `b`, then θ; null when all are equal. */
function firstDifference(a: JobResult, b: JobResult): string | null {
  const timing = new Set<string>(dm.TIMING_FIELDS);
  if (a.metrics.length !== b.metrics.length) return `${a.metrics.length} iterations vs ${b.metrics.length}`;
  for (let i = 0; i < a.metrics.length; i++) {
    const x = a.metrics[i] as unknown as Record<string, number>, y = b.metrics[i] as unknown as Record<string, number>;
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (!timing.has(k) && !Object.is(x[k], y[k])) return `iteration ${i + 1} ${k}: ${x[k]} vs ${y[k]}`;
    }
  }
  let differ = 0, maxDiff = 0;
  for (let p = 0; p < b.theta.length; p++) {
    if (!Object.is(a.theta[p], b.theta[p])) { differ++; maxDiff = Math.max(maxDiff, Math.abs(a.theta[p] - b.theta[p])); }
  }
  return differ === 0 && a.theta.length === b.theta.length ? null : `metrics equal; final θ: ${differ} of ${b.theta.length} values differ, max |Δ| ${maxDiff.toExponential(1)}`;
}

const rows: Row[] = [];
const nodeBin = process.execPath;
console.log(`bench/runtimes: directed-maml on CartPole-v1 at the defaults, ${ITERATIONS} iterations, seed ${SEED}; s/iteration = mean of iterations 2..${ITERATIONS}`);
const server: [string, string, string, string[], string[], Row['engine']][] = [
  ['node', 'Node', nodeBin, [], ['--version'], 'wasm'],
  ['bun', 'Bun', 'node_modules/.bin/bun', [], ['--version'], 'wasm'],
  ['deno', 'Deno', 'node_modules/.bin/deno', ['run', '--allow-read', '--allow-env'], ['--version'], 'wasm'],
  ['node-tfjs', 'Node', nodeBin, [], ['--version'], 'tfjs'],
];
for (const [key, name, command, args, versionArgs, engine] of server) {
  if (!ONLY.includes(key)) continue;
  const row = serverRuntime(name, command, args, versionArgs, engine);
  rows.push(row);
  console.log(`  ${row.name} (${engine} engine) done${row.error ? `: ${row.error}` : ''}`);
}
rows.push(...await browserRuntimes());

const reference = (engine: Row['engine']) => rows.find((r) => r.name === 'Node' && r.engine === engine)?.result ?? null;
console.log('');
console.log('| runtime | version | tfjs backend | meta-gradient engine | threads | s/iteration | ratio to Node, same engine | total s | metrics and θ vs Node, same engine |');
console.log('|---|---|---|---|---|---|---|---|---|');
let mismatches = 0;
for (const engine of ['wasm', 'tfjs'] as const) {
  const node = reference(engine);
  const nodeSeconds = node ? secondsPerIteration(node) : NaN;
  for (const row of rows.filter((r) => r.engine === engine)) {
    if (!row.result) {
      console.log(`| ${row.name} | ${row.version} | — | ${engine} | | failed: ${row.error} | | | |`);
      mismatches++;
      continue;
    }
    const r = row.result;
    const s = secondsPerIteration(r);
    const isReference = r === node;
    const diff = node ? firstDifference(r, node) : 'no Node run';
    const verdict = isReference ? 'reference' : diff === null ? 'identical (metrics and θ)' : row.compare ? `DIFFERENT: ${diff}` : `${diff} (float32 GPU)`;
    if (row.compare && !isReference && diff !== null) mismatches++;
    console.log(`| ${row.name} | ${row.version} | ${r.backend} | ${r.gradEngine} | ${r.workers} | ${s.toFixed(3)} | ${(s / nodeSeconds).toFixed(2)}× | ${r.seconds.toFixed(1)} | ${verdict} |`);
  }
}
for (const engine of ['wasm', 'tfjs'] as const) {
  const node = reference(engine);
  if (!node) continue;
  const last = node.metrics[node.metrics.length - 1];
  console.log(`\nNode's run (${engine} engine): post-adaptation return ${node.metrics[0].postReturn.toFixed(1)} → ${last.postReturn.toFixed(1)} over ${node.metrics.length} iterations.`);
}
console.log(mismatches === 0 ? 'every wasm runtime gave the metrics and θ of Node\'s run with the same engine exactly (timing fields aside).' : `${mismatches} runtime(s) failed or differ from Node.`);
process.exit(mismatches === 0 ? 0 : 1);
