// Browser smoke test: the browser bundle (dist/browser/index.js, tfjs inside, .wasm files beside
// it) loads in a page served from 127.0.0.1, initialises on the tfjs wasm backend, steps CartPole (and LunarLander, and a user env made with dm.defineEnv)
// and gives bit-identical observations to the Node build for the same seeds, tasks and actions —
// in the page and inside a module Web Worker. Then the Web Worker demo (dist/browser/demo.html,
// src/browser/) runs a short meta-training: its curve, its posted metrics and its displayed last
// post-adaptation return are checked against a Node Trainer with the same config (the page's
// trainer runs its tasks on a pool of nested Web Workers, Node's in process), and its stop
// button against a long run. Chromium is Debian's (/usr/bin/chromium) driven headless by playwright-core.
//
// Run: npm run test:browser   (builds first). Prints one line per check and a summary line;
// exits non-zero on any failure. The server and the browser are closed in every case.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import * as dm from 'directed-maml';
import { startServer, launchChromium, runChecks, collectErrors, startDemoRun, CONTENT_TYPES, type Recorder, type Resources } from './harness';

const OVERALL_TIMEOUT_MS = 120_000;
/** Where the demo page's screenshot goes (outside the repository). */
const DEMO_SCREENSHOT = join(tmpdir(), 'directed-maml-browser-demo.png');

interface ScenarioConfig { numEnvs: number; steps: number; seed: number; taskSeed: number }
interface ScenarioResult { backend: string; tfSumOfSquares: number[]; uniformBits: number[]; obsBits: number[]; rewardsAndFlags: number[]; userEnvValues: number[] }
interface WorkerGlobals { isWorker: boolean; hasDocument: boolean }

// The scenario as plain JavaScript source, run unchanged in the page and in Node (one definition,
// nothing transpiled differently on either side). Observations are returned as their float32 bit
// patterns so that the comparison is exact.
const SCENARIO_SOURCE = `
  const { numEnvs, steps, seed, taskSeed } = config;
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5], forceMag: [5, 15] });
  const env = family.makeVecEnv({ numEnvs, seed });
  env.setTasks(family.sample(numEnvs, { seed: taskSeed }));
  const obsBits = [];
  const rewardsAndFlags = [];
  const pushBits = (f32) => { for (const b of new Uint32Array(f32.buffer, f32.byteOffset, f32.length)) obsBits.push(b); };
  pushBits(env.reset());
  for (let t = 0; t < steps; t++) {
    const actions = Int32Array.from({ length: numEnvs }, (_, i) => ((t * 7 + i * 3) >> 2) & 1);
    const r = env.step(actions);
    pushBits(r.obs);
    for (let i = 0; i < numEnvs; i++) rewardsAndFlags.push(r.reward[i], r.terminated[i], r.truncated[i]);
  }
  env.dispose();
  // LunarLander-v2 (the Box2D subset): a fixed engine pattern through touchdowns.
  const lunar = dm.taskFamily('LunarLander-v2');
  const lander = lunar.makeVecEnv({ numEnvs: 4, seed });
  lander.setTasks(lunar.sample(4, { seed: taskSeed }));
  pushBits(lander.reset());
  for (let t = 0; t < 120; t++) {
    const r = lander.step(Int32Array.from({ length: 4 }, (_, i) => ((t >> 3) + i) % 4));
    pushBits(r.obs);
    for (let i = 0; i < 4; i++) rewardsAndFlags.push(r.reward[i], r.terminated[i], r.truncated[i]);
  }
  lander.dispose();
  // A user's env (dm.defineEnv: lanes stepped in JS, the policy batched in WASM), with box actions
  // on the Gaussian head: a point that must reach a goal it does not observe. Its rollouts and one
  // meta-iteration on it (in process: no module for workers) must equal Node's too.
  const userEnv = dm.definedEnv('SmokeGoal-v0') ?? dm.defineEnv({
    id: 'SmokeGoal-v0', observationSize: 2, maxSteps: 30,
    action: { kind: 'box', size: 2, low: -0.1, high: 0.1 },
    params: { goalX: [-0.5, 0.5], goalY: [-0.5, 0.5] },
    create({ goalX, goalY }) {
      let x = 0, y = 0;
      return {
        reset(rng) { x = 0.02 * (rng() - 0.5); y = 0; return [x, y]; },
        step(a) {
          x += a[0]; y += a[1];
          const d = Math.hypot(x - goalX, y - goalY);
          return { obs: [x, y], reward: -d, terminated: d < 0.01 };
        },
      };
    },
  });
  const goals = dm.taskFamily(userEnv);
  const pointPolicy = dm.createPolicy({ obsDim: 2, actionSize: 2, hidden: [8], seed });
  const traj = dm.rollout(goals, pointPolicy, goals.sample(3, { seed: taskSeed }), { episodes: 4, seed });
  const userEnvValues = [...traj.episodeReturns];
  pointPolicy.dispose();
  const trainer = new dm.Trainer({ env: userEnv, algo: 'maml', metaBatch: 2, episodes: 3, hidden: [8], seed, workers: 1 });
  for await (const m of trainer.run(2)) userEnvValues.push(m.preReturn, m.postReturn);
  const theta = trainer.policy.getFlat();
  userEnvValues.push(...new Uint32Array(theta.buffer, theta.byteOffset, theta.length));
  trainer.dispose();
  const u = dm.uniforms(seed, dm.Purpose.ACTION, 3, 5, 64);
  const uniformBits = Array.from(new Uint32Array(u.buffer, u.byteOffset, u.length));
  const tfSumOfSquares = Array.from(dm.tf.tidy(() => dm.tf.tensor1d([1, 2, 3, 4]).square().sum()).dataSync());
  return { backend: dm.tf.getBackend(), tfSumOfSquares, uniformBits, obsBits, rewardsAndFlags, userEnvValues };
`;

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>directed-maml browser smoke test</title></head>
<body>
<script type="module">
  import * as dm from './index.js';
  const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
  const scenario = new AsyncFunction('dm', 'config', ${JSON.stringify(SCENARIO_SOURCE)});
  window.runSmoke = async (config) => {
    await dm.init({ wasmPaths: new URL('./', import.meta.url).href });
    return scenario(dm, config);
  };
  // The same scenario in a module Web Worker (its own tfjs and WASM instances).
  window.runSmokeInWorker = (config) => new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./smoke-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.ok) resolve(event.data); else reject(new Error('in the worker: ' + event.data.error));
    };
    worker.onerror = (event) => { worker.terminate(); reject(new Error('worker error: ' + (event.message || 'it could not be loaded'))); };
    worker.postMessage(config);
  });
  window.smokeReady = true;
</script>
</body></html>`;

/** The worker of runSmokeInWorker, served at /smoke-worker.js beside the bundle. */
const WORKER_SOURCE = `
  import * as dm from './index.js';
  const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
  const scenario = new AsyncFunction('dm', 'config', ${JSON.stringify(SCENARIO_SOURCE)});
  self.onmessage = async (event) => {
    try {
      await dm.init({ wasmPaths: new URL('./', import.meta.url).href });
      const result = await scenario(dm, event.data);
      const globals = { isWorker: typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope, hasDocument: typeof document !== 'undefined' };
      self.postMessage({ ok: true, result, globals });
    } catch (err) {
      self.postMessage({ ok: false, error: String((err && err.stack) || err) });
    }
  };
`;

type AsyncScenario = (dmModule: typeof dm, config: ScenarioConfig) => Promise<ScenarioResult>;
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (...args: string[]) => AsyncScenario;
const scenarioInNode = new AsyncFunction('dm', 'config', SCENARIO_SOURCE);

/** The first index where two arrays differ, or -1. */
function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

async function run(record: Recorder, resources: Resources): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'dm-chromium-'));
  resources.add(() => rm(profile, { recursive: true, force: true }));
  const routes = {
    '/': { type: CONTENT_TYPES['.html'], body: PAGE_HTML },
    '/smoke-worker.js': { type: CONTENT_TYPES['.js'], body: WORKER_SOURCE },
  };
  const { server, url, missing } = await startServer(routes);
  resources.add(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const context: BrowserContext = await launchChromium(profile);
  resources.add(() => context.close(), { first: true }); // the browser goes before the server and its profile
  const browserVersion = context.browser()?.version() ?? 'chromium';

  const page = context.pages()[0] ?? await context.newPage();
  const pageErrors = collectErrors(page);

  const config: ScenarioConfig = { numEnvs: 9, steps: 300, seed: 7, taskSeed: 3 };
  await page.goto(url);
  let inPage: ScenarioResult;
  try {
    await page.waitForFunction(() => (window as unknown as { smokeReady?: boolean }).smokeReady === true, undefined, { timeout: 30_000 });
    inPage = await page.evaluate((c) => (window as unknown as { runSmoke(c: ScenarioConfig): Promise<ScenarioResult> }).runSmoke(c), config);
  } catch (err) {
    record('bundle loads and dm.init() runs in the page', false,
      `${String(err).split('\n')[0]}; page errors: ${pageErrors.join(' | ') || 'none'}; not served: ${missing.join(', ') || 'none'}`);
    return;
  }
  const initOk = inPage.backend === 'wasm' && inPage.tfSumOfSquares[0] === 30 && pageErrors.length === 0;
  record('bundle loads and dm.init() runs in the page', initOk,
    `${browserVersion} at ${url}, tfjs backend ${inPage.backend}, sum of squares ${inPage.tfSumOfSquares}, `
    + `page errors: ${pageErrors.join(' | ') || 'none'}, not served: ${missing.join(', ') || 'none'}`);

  await dm.init();
  const inNode = await scenarioInNode(dm, config);
  /** Compares a browser run of the scenario with Node's, bit for bit. */
  const compare = (inBrowser: ScenarioResult): { same: boolean; detail: string } => {
    const obsAt = firstDifference(inBrowser.obsBits, inNode.obsBits);
    const flagsAt = firstDifference(inBrowser.rewardsAndFlags, inNode.rewardsAndFlags);
    const uniformAt = firstDifference(inBrowser.uniformBits, inNode.uniformBits);
    // The user env: 12 episode returns, 2 × (pre, post) returns, then θ's bits (Gaussian head: MLP and log-std).
    const userAt = firstDifference(inBrowser.userEnvValues, inNode.userEnvValues);
    const userFinite = inNode.userEnvValues.length > 16 && inNode.userEnvValues.every(Number.isFinite);
    const episodes = inNode.rewardsAndFlags.filter((v, j) => j % 3 !== 0 && v === 1).length;
    // CartPole's observations, then LunarLander's (4 envs × 8 values, reset and 120 steps).
    const expectedObs = config.numEnvs * 4 * (config.steps + 1) + 4 * 8 * 121;
    const same = obsAt < 0 && flagsAt < 0 && uniformAt < 0 && inNode.obsBits.length === expectedObs && userAt < 0 && userFinite;
    return {
      same,
      detail: same
        ? `${inNode.obsBits.length} observation floats, ${inNode.rewardsAndFlags.length / 3} (reward, terminated, truncated) triples with ${episodes} episode ends, 64 RNG draws identical; user env: ${inNode.userEnvValues.length} values (returns ${inNode.userEnvValues.slice(12, 16).map((r) => r.toFixed(3)).join(' ')}, θ) identical`
        : `first difference: observations at ${obsAt}, rewards/flags at ${flagsAt}, RNG draws at ${uniformAt}, user env at ${userAt} (finite: ${userFinite})`,
    };
  };
  const inPageVsNode = compare(inPage);
  record(`CartPole-v1 (${config.numEnvs} envs x ${config.steps} steps), LunarLander-v2 (4 envs x 120 steps) and a dm.defineEnv env (rollouts, 2 MAML iterations) in the page equal Node bit for bit (seed ${config.seed})`, inPageVsNode.same, inPageVsNode.detail);

  // The same scenario inside a module Web Worker (DESIGN.md: the loader works in a worker too).
  const workerName = `CartPole-v1, LunarLander-v2 and a dm.defineEnv env in a Web Worker equal Node bit for bit (seed ${config.seed})`;
  try {
    const inWorker = await page.evaluate((c) => (window as unknown as {
      runSmokeInWorker(c: ScenarioConfig): Promise<{ result: ScenarioResult; globals: WorkerGlobals }>;
    }).runSmokeInWorker(c), config);
    const { result, globals } = inWorker;
    const vsNode = compare(result);
    const initOkInWorker = result.backend === 'wasm' && result.tfSumOfSquares[0] === 30 && globals.isWorker && !globals.hasDocument;
    record(workerName, vsNode.same && initOkInWorker,
      `in a WorkerGlobalScope: ${globals.isWorker}, document: ${globals.hasDocument ? 'present' : 'absent'}, tfjs backend ${result.backend}, `
      + `sum of squares ${result.tfSumOfSquares}; ${vsNode.detail}`);
  } catch (err) {
    record(workerName, false, `${String(err).split('\n')[0]}; page errors: ${pageErrors.join(' | ') || 'none'}; not served: ${missing.join(', ') || 'none'}`);
  }

  await checkDemo(context, url, record, missing);
}

/** What the demo page exposes as window.dmDemo (src/browser/demo.ts). */
interface DemoRecord { state: string; config: Record<string, unknown> | null; workers: number | null; metrics: dm.IterationMetrics[] }
interface DemoSnapshot {
  record: DemoRecord;
  status: string;
  prePoints: number;
  postPoints: number;
  lastPostText: string | null;
  lastPostValue: string | null;
  cores: number;
}

/** The Web Worker demo page: a short run against a Node Trainer, then the stop button. */
async function checkDemo(context: BrowserContext, url: string, record: Recorder, missing: string[]): Promise<void> {
  const demoRun = { env: 'CartPole-v1', algo: 'directed-maml', iterations: 3, metaBatch: 3, episodes: 3, seed: 1 } as const;
  const runName = `demo.html trains in its Web Worker: ${demoRun.iterations} iterations (meta-batch ${demoRun.metaBatch}, ${demoRun.episodes} episodes, seed ${demoRun.seed}) drawn, metrics finite`;
  const matchName = "demo.html's displayed last postReturn and posted metrics equal a Node Trainer's with the same config";

  const page = await context.newPage();
  const pageErrors = collectErrors(page);
  await page.setViewportSize({ width: 960, height: 760 });
  const demoState = () => page.evaluate(() => (window as unknown as { dmDemo?: DemoRecord }).dmDemo?.state ?? 'no window.dmDemo');
  const snapshot = () => page.evaluate((): DemoSnapshot => {
    const post = document.getElementById('last-post');
    return {
      record: (window as unknown as { dmDemo: DemoRecord }).dmDemo,
      status: document.getElementById('status')?.textContent ?? '',
      prePoints: document.querySelectorAll('#curve circle.pre.point').length,
      postPoints: document.querySelectorAll('#curve circle.post.point').length,
      lastPostText: post?.textContent ?? null,
      lastPostValue: post?.dataset.value ?? null,
      cores: navigator.hardwareConcurrency,
    };
  });
  const failBoth = (why: string) => {
    const detail = `${why}; page errors: ${pageErrors.join(' | ') || 'none'}; not served: ${missing.join(', ') || 'none'}`;
    record(runName, false, detail);
    record(matchName, false, detail);
  };

  try {
    await page.goto(`${url}demo.html`);
    await page.waitForFunction(() => ['ready', 'error'].includes((window as unknown as { dmDemo?: DemoRecord }).dmDemo?.state ?? ''), undefined, { timeout: 30_000 });
    if (await demoState() !== 'ready') return failBoth(`the worker did not get ready: ${(await snapshot()).status}`);
    await startDemoRun(page, demoRun);
  } catch (err) {
    return failBoth(String(err).split('\n')[0]);
  }

  // The Node reference runs while the worker trains (separate processes), in process (no pool).
  const trainer = new dm.Trainer({ ...demoRun, workers: 1 });
  const inNode: dm.IterationMetrics[] = [];
  for await (const m of trainer.run()) inNode.push(m);
  trainer.dispose();

  try {
    await page.waitForFunction((n) => document.querySelectorAll('#curve circle.post.point').length >= n
      && ['finished', 'stopped', 'error'].includes((window as unknown as { dmDemo: DemoRecord }).dmDemo.state), demoRun.iterations, { timeout: 60_000 });
  } catch (err) {
    const s = await snapshot().catch(() => null);
    return failBoth(`${String(err).split('\n')[0]}; state ${s?.record.state}, status "${s?.status}", ${s?.postPoints} points`);
  }
  const inPage = await snapshot();
  await page.screenshot({ path: DEMO_SCREENSHOT, fullPage: true });

  const ms = inPage.record.metrics;
  const nonFinite = ms.flatMap((m) => Object.entries(m).filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v)).map(([k, v]) => `${m.iteration}.${k}=${v}`));
  const iterationsOk = ms.map((m) => m.iteration).join(',') === Array.from({ length: demoRun.iterations }, (_, i) => i + 1).join(',');
  // The demo's trainer runs its tasks on a pool of nested Web Workers, one per core (at most one per task).
  const expectedWorkers = Math.min(inPage.cores, demoRun.metaBatch);
  const runOk = inPage.record.state === 'finished' && iterationsOk && nonFinite.length === 0 && inPage.record.workers === expectedWorkers
    && inPage.prePoints === demoRun.iterations && inPage.postPoints === demoRun.iterations
    && /s\/iteration/.test(inPage.status) && pageErrors.length === 0;
  record(runName, runOk,
    `state ${inPage.record.state}, iterations [${ms.map((m) => m.iteration)}], tasks on ${inPage.record.workers} pool workers (cores ${inPage.cores}), ${inPage.prePoints} pre + ${inPage.postPoints} post points, `
    + `non-finite: ${nonFinite.join(', ') || 'none'}, status "${inPage.status}", page errors: ${pageErrors.join(' | ') || 'none'}, screenshot ${DEMO_SCREENSHOT}`);

  // Bit-for-bit: every field but the timings, every iteration (the wasm backend is deterministic across runtimes).
  const timing = new Set<string>(dm.TIMING_FIELDS);
  const differences: string[] = [];
  for (let i = 0; i < Math.max(ms.length, inNode.length); i++) {
    const a = ms[i] ?? {};
    const b = inNode[i] ?? {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!timing.has(k) && !Object.is(a[k], b[k])) differences.push(`iteration ${i + 1} ${k}: page ${a[k]}, node ${b[k]}`);
    }
  }
  const nodeLast = inNode[inNode.length - 1]?.postReturn;
  const shownOk = inPage.lastPostValue !== null && Object.is(Number(inPage.lastPostValue), nodeLast) && inPage.lastPostText === nodeLast?.toFixed(2);
  record(matchName, shownOk && differences.length === 0,
    `page shows "${inPage.lastPostText}" (value ${inPage.lastPostValue}), Node's last postReturn ${nodeLast}; `
    + `${ms.length} x ${Object.keys(ms[0] ?? {}).length - timing.size} non-timing fields compared, differences: ${differences.slice(0, 3).join('; ') || 'none'}`);

  // Stop: a long run ends early (after the iteration in progress) when Stop is pressed. Not timed:
  // the run would take seconds, and the worker may be a few iterations past what the page had seen.
  const longRun = 100;
  const stopName = `demo.html stop button ends a ${longRun}-iteration run early`;
  try {
    await page.fill('#iterations', String(longRun));
    await page.click('#start');
    await page.waitForFunction(() => (window as unknown as { dmDemo: DemoRecord }).dmDemo.metrics.length >= 1, undefined, { timeout: 30_000 });
    const seenAtClick = (await snapshot()).record.metrics.length;
    await page.click('#stop');
    await page.waitForFunction(() => ['finished', 'stopped', 'error'].includes((window as unknown as { dmDemo: DemoRecord }).dmDemo.state), undefined, { timeout: 30_000 });
    const after = await snapshot();
    const n = after.record.metrics.length;
    const ok = after.record.state === 'stopped' && n >= seenAtClick && n < longRun && after.postPoints === n && after.status.startsWith(`Stopped after ${n} iterations`);
    record(stopName, ok, `iterations seen before the click: ${seenAtClick}; stopped with ${n} of ${longRun}; state ${after.record.state}, status "${after.status}"`);
  } catch (err) {
    record(stopName, false, `${String(err).split('\n')[0]}; page errors: ${pageErrors.join(' | ') || 'none'}`);
  }
  await page.close();
}

process.exit(await runChecks('smoke', OVERALL_TIMEOUT_MS, run));
