// Browser smoke test: the browser bundle (dist/browser/index.js, tfjs inside, .wasm files beside
// it) loads in a page served from 127.0.0.1, initialises on the tfjs wasm backend, steps CartPole
// and gives bit-identical observations to the Node build for the same seeds, tasks and actions.
// Chromium is Debian's (/usr/bin/chromium) driven headless by playwright-core.
//
// Run: npm run test:browser   (builds first). Prints one line per check and a summary line;
// exits non-zero on any failure. The server and the browser are closed in every case.
import { createServer, type Server } from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, sep, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext } from 'playwright-core';
import * as dm from 'directed-maml';

const OVERALL_TIMEOUT_MS = 120_000;
const CHROMIUM = '/usr/bin/chromium';
const BUNDLE_DIR = fileURLToPath(new URL('../../dist/browser/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

interface ScenarioConfig { numEnvs: number; steps: number; seed: number; taskSeed: number }
interface ScenarioResult { backend: string; tfSumOfSquares: number[]; uniformBits: number[]; obsBits: number[]; rewardsAndFlags: number[] }

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
  const u = dm.uniforms(seed, dm.Purpose.ACTION, 3, 5, 64);
  const uniformBits = Array.from(new Uint32Array(u.buffer, u.byteOffset, u.length));
  const tfSumOfSquares = Array.from(dm.tf.tidy(() => dm.tf.tensor1d([1, 2, 3, 4]).square().sum()).dataSync());
  return { backend: dm.tf.getBackend(), tfSumOfSquares, uniformBits, obsBits, rewardsAndFlags };
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
  window.smokeReady = true;
</script>
</body></html>`;

type AsyncScenario = (dmModule: typeof dm, config: ScenarioConfig) => Promise<ScenarioResult>;
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (...args: string[]) => AsyncScenario;
const scenarioInNode = new AsyncFunction('dm', 'config', SCENARIO_SOURCE);

/** Serves the page at / and the files of dist/browser/; records what it could not serve. */
function startServer(missing: string[]): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.html'] }).end(PAGE_HTML);
      return;
    }
    const file = normalize(join(BUNDLE_DIR, path));
    const type = CONTENT_TYPES[extname(file)];
    if (!file.startsWith(BUNDLE_DIR.endsWith(sep) ? BUNDLE_DIR : BUNDLE_DIR + sep) || !type) {
      missing.push(path);
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
    } catch {
      missing.push(path);
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The first index where two arrays differ, or -1. */
function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

interface Check { name: string; ok: boolean; detail: string }

/** What must be closed at the end, in order (the browser first). */
class Resources {
  private closers: (() => Promise<unknown>)[] = [];
  add(closer: () => Promise<unknown>, options: { first?: boolean } = {}): void {
    if (options.first) this.closers.unshift(closer); else this.closers.push(closer);
  }
  /** Closes everything added so far; can run again for what was added since. */
  async close(): Promise<void> {
    for (const closer of this.closers.splice(0)) {
      await Promise.race([closer(), new Promise((resolve) => setTimeout(resolve, 10_000))]).catch(() => {});
    }
  }
}

async function run(checks: Check[], resources: Resources, profile: string): Promise<void> {
  const record = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    console.log(`browser: ${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
  };
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(join(BUNDLE_DIR, 'index.js'))) throw new Error(`${BUNDLE_DIR}index.js is missing: npm run build`);

  const missing: string[] = [];
  const server = await startServer(missing);
  resources.add(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  resources.add(() => context.close(), { first: true }); // the browser goes before the server and its profile
  const browserVersion = context.browser()?.version() ?? 'chromium';

  const page = context.pages()[0] ?? await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });

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
  const obsAt = firstDifference(inPage.obsBits, inNode.obsBits);
  const flagsAt = firstDifference(inPage.rewardsAndFlags, inNode.rewardsAndFlags);
  const uniformAt = firstDifference(inPage.uniformBits, inNode.uniformBits);
  const episodes = inNode.rewardsAndFlags.filter((v, j) => j % 3 !== 0 && v === 1).length;
  const same = obsAt < 0 && flagsAt < 0 && uniformAt < 0 && inNode.obsBits.length === config.numEnvs * 4 * (config.steps + 1);
  record(`CartPole-v1 in the page equals Node bit for bit (${config.numEnvs} envs x ${config.steps} steps, seed ${config.seed})`, same,
    same
      ? `${inNode.obsBits.length} observation floats, ${inNode.rewardsAndFlags.length / 3} (reward, terminated, truncated) triples with ${episodes} episode ends, 64 RNG draws identical`
      : `first difference: observations at ${obsAt}, rewards/flags at ${flagsAt}, RNG draws at ${uniformAt}`);
}

async function main(): Promise<number> {
  const checks: Check[] = [];
  const resources = new Resources();
  const profile = await mkdtemp(join(tmpdir(), 'dm-chromium-'));
  let fatal: unknown = null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${OVERALL_TIMEOUT_MS / 1000} s`)), OVERALL_TIMEOUT_MS);
  });
  const running = run(checks, resources, profile);
  try {
    await Promise.race([running, timeout]);
  } catch (err) {
    fatal = err;
  } finally {
    clearTimeout(timer);
    await resources.close();
    // After a timeout, run() may still be starting something: let it fail against the closed
    // resources (bounded), close what it added meanwhile, then remove the browser profile.
    await Promise.race([running.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 20_000))]);
    await resources.close();
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }
  if (fatal) console.log(`browser: FAIL ${fatal instanceof Error ? fatal.message : String(fatal)}`);
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed + (fatal ? 1 : 0);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

process.exit(await main());
