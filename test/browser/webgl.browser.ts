// WebGL in Chromium (software WebGL2 here: --disable-gpu, SwiftShader). Picking webgl must mean
// that webgl computes: the config then defaults to the tfjs engine for meta-gradients (the WASM
// engine would leave webgl nothing to do: sampling, adaptation and the meta-gradient all run in
// WASM) and to tasks in one thread (one GL context).
//
// 1. The exact (order-2) MAML meta-gradient of one CartPole task computed by the tfjs engine on the
//    webgl backend agrees with the tfjs engine on the wasm backend, on the same trajectories,
//    within a relative L2 error of 1e-4 — and tf.profile shows the webgl backend ran its kernels.
//    Why 1e-4: both backends compute in float32, and on this machine they differ by 0.5–2.3e-6
//    (measured on three tasks, tanh and relu: summation order and GLSL's exp/tanh/log against the
//    wasm kernels'); a GPU driver may round differently, hence a margin of about 40×. A lost
//    second-order term is 4–6% here (order 1 vs order 2), some 400× the tolerance — the test checks
//    that too, so it could not pass with a first-order gradient.
// 2. The demo page trains on webgl: its run resolves gradEngine 'tfjs' in one thread, the webgl
//    backend runs shader programs during it (counted in the page's worker), and its first
//    iteration equals Node's run of the same config on the wasm backend exactly (sampling and
//    adaptation are WASM; only the meta-gradient, hence θ from iteration 2 on, runs on webgl).
//
// Run: npm run test:browser (builds first), or after a build: node --import tsx test/browser/webgl.browser.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { startServer, launchChromium, runChecks, collectErrors, startDemoRun, CONTENT_TYPES, type Recorder, type Resources } from './harness';

const TIMEOUT_MS = 180_000;
const TOLERANCE = 1e-4; // relative L2 error of the webgl meta-gradient against wasm's

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>directed-maml webgl test</title></head>
<body><script type="module">
  import * as dm from './index.js';
  const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
  window.gradients = (source, c) => new AsyncFunction('dm', 'c', source)(dm, c);
  window.webglReady = true;
</script></body></html>`;

interface GradientCase { hidden: number[]; activation: 'tanh' | 'relu'; seed: number }
interface GradientResult {
  backend: string; float32: boolean; rows: number[];
  glVsWasm: number; maxGlVsWasm: number; order1VsOrder2: number; order1GlVsOrder2Wasm: number;
  msWasm: number; msWebgl: number;
  /** Kernels the webgl backend ran for one meta-gradient (tf.profile), and how many distinct ops. */
  kernels: number; kernelNames: number;
}

/**
 * Runs in the page (plain JavaScript source: functions compiled by tsx carry helpers the page does
 * not have): the same task's trajectories, meta-gradients on wasm, then on webgl.
 */
const GRADIENTS_SOURCE = `
  await dm.init({ backend: 'wasm', wasmPaths: new URL('./', location.href).href });
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: c.hidden, activation: c.activation, seed: c.seed });
  const task = family.sample(1, { seed: c.seed });
  const advantage = { gamma: 0.99, lambda: 1 };
  const pre = dm.rollout(family, policy, task, { episodes: 20, seed: 10 + c.seed });
  const adapted = dm.innerAdaptFlat(policy, pre, policy.getFlat(), 0.1, 1, advantage);
  const post = dm.rollout(family, policy, task, { episodes: 20, seed: 20 + c.seed, weights: adapted });
  const metaGradient = (algo) => dm.taskMetaGradient({ policy, algo, innerLr: algo.innerLr, advantage }, pre, post, adapted, true)[0];
  const timed = (algo) => { const t = performance.now(); const g = metaGradient(algo); return [g, performance.now() - t]; };
  metaGradient(dm.maml({ innerLr: 0.1 })); // warm-up (kernels)
  const [wasm2, msWasm] = timed(dm.maml({ innerLr: 0.1 }));
  const wasm1 = metaGradient(dm.fomaml({ innerLr: 0.1 }));
  await dm.init({ backend: 'webgl' });
  const backend = dm.tf.getBackend();
  const float32 = dm.tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
  metaGradient(dm.maml({ innerLr: 0.1 })); // warm-up (shaders)
  const [webgl2, msWebgl] = timed(dm.maml({ innerLr: 0.1 }));
  // The webgl backend's own record of the kernels of one meta-gradient.
  const profile = await dm.tf.profile(() => { metaGradient(dm.maml({ innerLr: 0.1 })); });
  const kernels = profile.kernels.length;
  const kernelNames = [...new Set(profile.kernels.map((k) => k.name))].length;
  const webgl1 = metaGradient(dm.fomaml({ innerLr: 0.1 }));
  await dm.init({ backend: 'wasm' });
  policy.dispose();
  const rel = (a, b) => {
    let num = 0, den = 0;
    for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
    return Math.sqrt(num / den);
  };
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < wasm2.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(webgl2[i] - wasm2[i])); maxAbs = Math.max(maxAbs, Math.abs(wasm2[i])); }
  return {
    backend, float32, rows: [pre.numSteps, post.numSteps],
    glVsWasm: rel(webgl2, wasm2), maxGlVsWasm: maxDiff / maxAbs, order1VsOrder2: rel(wasm1, wasm2), order1GlVsOrder2Wasm: rel(webgl1, wasm2),
    msWasm, msWebgl, kernels, kernelNames,
  };
`;

async function run(record: Recorder, resources: Resources): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'dm-webgl-'));
  resources.add(() => rm(profile, { recursive: true, force: true }));
  const { server, url, missing } = await startServer({ '/webgl.html': { type: CONTENT_TYPES['.html'], body: PAGE_HTML } });
  resources.add(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const context = await launchChromium(profile);
  resources.add(() => context.close(), { first: true });
  const page = await context.newPage();
  const errors = collectErrors(page);
  const errorsText = () => `console errors: ${errors.join(' | ') || 'none'}; not served: ${missing.join(', ') || 'none'}`;

  await page.goto(`${url}webgl.html`);
  await page.waitForFunction(() => (window as unknown as { webglReady?: boolean }).webglReady === true, undefined, { timeout: 30_000 });
  const cases: GradientCase[] = [
    { hidden: [64, 64], activation: 'tanh', seed: 1 },
    { hidden: [64, 64], activation: 'relu', seed: 2 },
  ];
  for (const c of cases) {
    const r = await page.evaluate(([source, config]) => (window as unknown as { gradients(s: string, c: GradientCase): Promise<GradientResult> }).gradients(source, config), [GRADIENTS_SOURCE, c] as const);
    const ok = r.backend === 'webgl' && r.float32 && r.kernels > 100 && r.glVsWasm <= TOLERANCE && r.order1GlVsOrder2Wasm >= 10 * TOLERANCE && r.order1VsOrder2 >= 10 * TOLERANCE;
    record(`order-2 meta-gradient, [${c.hidden}] ${c.activation}: the tfjs engine on webgl (its kernels profiled) agrees with it on wasm within ${TOLERANCE} (relative L2)`, ok,
      `backend ${r.backend} (float32 render ${r.float32}), ${r.kernels} webgl kernels of ${r.kernelNames} ops in one meta-gradient, ${r.rows[0]} + ${r.rows[1]} rows: webgl vs wasm ${r.glVsWasm.toExponential(2)} `
      + `(max |Δ| / max |g| ${r.maxGlVsWasm.toExponential(2)}); order 1 vs order 2: ${r.order1VsOrder2.toExponential(2)} on wasm, `
      + `${r.order1GlVsOrder2Wasm.toExponential(2)} webgl order 1 vs wasm order 2; ${r.msWasm.toFixed(0)} ms on wasm, ${r.msWebgl.toFixed(0)} ms on webgl; ${errorsText()}`);
  }
  await page.close();

  // 2. The demo trains on webgl in its worker, with the tfjs engine, in that one thread.
  const run = { env: 'CartPole-v1', algo: 'directed-maml', hidden: [32, 32], iterations: 2, metaBatch: 5, episodes: 5, seed: 2 } as const;
  const demo = await context.newPage();
  const demoErrors = collectErrors(demo);
  await demo.goto(`${url}demo.html`);
  await demo.waitForFunction(() => (window as unknown as { dmDemo: { state: string } }).dmDemo.state === 'ready', undefined, { timeout: 30_000 });
  await startDemoRun(demo, { ...run, backend: 'webgl' });
  await demo.waitForFunction(() => ['finished', 'error'].includes((window as unknown as { dmDemo: { state: string } }).dmDemo.state), undefined, { timeout: 120_000 });
  type Page = { state: string; backend: string; workers: number; config: dm.TrainConfig; metrics: dm.IterationMetrics[]; activity: { backend: string; gradEngine: string; shaderRuns: number | null; gpuBytes: number | null } | null };
  const d = await demo.evaluate(() => (window as unknown as { dmDemo: Page }).dmDemo);
  const status = await demo.textContent('#status');
  // Node's run of the config the page resolved, on the wasm backend (the tfjs engine included).
  await dm.init();
  const { backend: _webgl, ...nodeConfig } = d.config;
  const trainer = new dm.Trainer({ ...nodeConfig, iterations: 1 });
  const wasm: dm.IterationMetrics[] = [];
  for await (const m of trainer.run()) wasm.push(m);
  trainer.dispose();
  const first = d.metrics[0];
  const finite = d.metrics.every((m) => Object.values(m).every((v) => typeof v === 'number' && Number.isFinite(v)));
  const a = d.activity;
  record('the demo page trains on webgl: the tfjs engine in one thread, webgl shader programs run during the run; iteration 1 equals Node\'s (tfjs engine, wasm backend)',
    d.state === 'finished' && d.backend === 'webgl' && d.config.gradEngine === 'tfjs' && d.workers === 1 && a?.backend === 'webgl' && (a.shaderRuns ?? 0) > 1000
      && d.metrics.length === run.iterations && finite
      && first?.preReturn === wasm[0].preReturn && first?.postReturn === wasm[0].postReturn && first?.envSteps === wasm[0].envSteps
      && demoErrors.length === 0,
    `state ${d.state}, backend ${d.backend}, gradEngine ${d.config.gradEngine}, ${d.workers} thread(s), webgl ran ${a?.shaderRuns} shader programs (${a?.gpuBytes} bytes of textures); `
    + `status "${status}", iteration 1 pre/post ${first?.preReturn}/${first?.postReturn} (Node ${wasm[0].preReturn}/${wasm[0].postReturn}), `
    + `iteration 2 pre/post ${d.metrics[1]?.preReturn}/${d.metrics[1]?.postReturn}; console errors: ${demoErrors.join(' | ') || 'none'}`);
}

process.exit(await runChecks('webgl', TIMEOUT_MS, run));
