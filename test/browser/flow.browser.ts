// The demo page's whole flow, as a person would use it (Debian's Chromium, headless): meta-train 2
// iterations, pick a task outside the training range, adapt, save the policy to IndexedDB and
// download it, reload the page, load the saved policy (IndexedDB, then the downloaded files) and
// adapt it again — with no console error anywhere. What the page shows is checked against Node:
// the same config trains the same θ, so the adaptation's returns and the two episodes the page
// plays must equal dm.adaptPolicy / dm.recordEpisode in Node bit for bit, before and after the
// reload (the saved policy is exact). Screenshots while training and after adapting.
//
// Then LunarLander-v2: the page's starting values for it, a short run, an adaptation in wind (a
// value outside the training range), both episodes drawn by its renderer and equal to Node's.
//
// Run: npm run test:browser (builds first), or after a build:
//   node --import tsx test/browser/flow.browser.ts [--screenshots DIR] [--iterations N] [--lander-iterations N]
// (screenshots go to the temp dir by default; the README's: --screenshots docs --iterations 30 --lander-iterations 60)
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as dm from 'directed-maml';
import { startServer, launchChromium, runChecks, collectErrors, startDemoRun, type Recorder, type Resources } from './harness';

const TIMEOUT_MS = 240_000;
const argument = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SCREENSHOTS = argument('screenshots') ?? tmpdir();
/** 2 in the test; more for the README's screenshots (the checks are the same for any count). */
const ITERATIONS = Number(argument('iterations') ?? 2);
const LANDER_ITERATIONS = Number(argument('lander-iterations') ?? 1);

/** What demo.ts exposes as window.dmDemo (the fields used here). */
interface DemoRecord {
  state: string;
  config: dm.TrainConfig | null;
  metrics: dm.IterationMetrics[];
  policy: { env: string; source: string; origin: string; params: { name: string }[]; innerLr: number } | null;
  adaptation: { task: Record<string, number>; outside: string[]; steps: number; returns: number[]; metaEpisodeReturn: number; adaptedEpisodeReturn: number } | null;
  playback: string;
  saved: string[];
  downloads: string[];
  store: { state: string; message: string };
  adaptState: string;
}

const TRAIN = { env: 'CartPole-v1', algo: 'directed-maml', hidden: [32, 32], iterations: ITERATIONS, metaBatch: 10, episodes: 10, seed: 3 } as const;
const ADAPT = { halfLength: 0.9, steps: 2, episodes: 10, seed: 5 } as const;
const NAME = 'flow-policy';

const demo = (page: Page) => page.evaluate(() => (window as unknown as { dmDemo: DemoRecord }).dmDemo);
async function waitFor(page: Page, predicate: string, timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction(`(() => { const d = window.dmDemo; return ${predicate}; })()`, undefined, { timeout });
  } catch (err) {
    const texts = await page.evaluate(() => ['status', 'adapt-status', 'store-status'].map((id) => document.getElementById(id)?.textContent)).catch(() => []);
    const d = await demo(page).catch(() => null);
    throw new Error(`waiting for ${predicate}: ${(err as Error).message.split('\n')[0]}; state ${d?.state}, adapt ${d?.adaptState}, playback ${d?.playback}; texts ${JSON.stringify(texts)}`);
  }
}

async function setSlider(page: Page, name: string, value: number): Promise<void> {
  await page.evaluate(([n, v]) => {
    const input = document.querySelector(`.param[data-name="${n}"] input`) as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, [name, value] as const);
}

/** Adapts from the page with ADAPT's settings; returns what the page recorded. */
async function adaptInPage(page: Page): Promise<NonNullable<DemoRecord['adaptation']>> {
  await setSlider(page, 'halfLength', ADAPT.halfLength);
  await page.fill('#adapt-steps', String(ADAPT.steps));
  await page.fill('#adapt-episodes', String(ADAPT.episodes));
  await page.fill('#adapt-seed', String(ADAPT.seed));
  await page.fill('#adapt-lr', '');
  await page.selectOption('#speed', '16');
  await page.click('#adapt');
  await waitFor(page, "d.adaptState === 'ok' || d.adaptState === 'error'");
  const d = await demo(page);
  if (d.adaptState !== 'ok' || !d.adaptation) throw new Error(`adaptation failed: ${await page.textContent('#adapt-status')}`);
  return d.adaptation;
}

/** A screenshot of one section of the page, with a margin. */
async function sectionScreenshot(page: Page, selector: string, path: string): Promise<void> {
  const section = page.locator(selector);
  await section.scrollIntoViewIfNeeded();
  const box = (await section.boundingBox())!;
  const pad = 12;
  await page.screenshot({ path, clip: { x: box.x - pad, y: box.y - pad, width: box.width + 2 * pad, height: box.height + 2 * pad } });
}

/** Non-white pixels of a canvas (the renderer drew something). */
const inkOf = (page: Page, id: string) => page.evaluate((canvasId) => {
  const c = document.getElementById(canvasId) as HTMLCanvasElement;
  const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink++;
  return ink;
}, id);

async function run(record: Recorder, resources: Resources): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'dm-flow-profile-'));
  const downloads = await mkdtemp(join(tmpdir(), 'dm-flow-downloads-'));
  resources.add(() => rm(profile, { recursive: true, force: true }));
  resources.add(() => rm(downloads, { recursive: true, force: true }));
  const { server, url, missing, served } = await startServer();
  resources.add(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const context = await launchChromium(profile);
  resources.add(() => context.close(), { first: true });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 960, height: 1100 });
  const errorsText = () => `console errors: ${errors.join(' | ') || 'none'}; not served: ${missing.join(', ') || 'none'}`;

  // The Node reference: the same config trains the same θ (wasm is deterministic across runtimes).
  await dm.init();
  const trainer = new dm.Trainer({ ...TRAIN, hidden: [...TRAIN.hidden] });
  for await (const _ of trainer.run()) { /* two iterations */ }

  // 1. Meta-train 2 iterations; a screenshot while it trains.
  await page.goto(`${url}demo.html`);
  await waitFor(page, "d.state === 'ready' || d.state === 'error'");
  await startDemoRun(page, { ...TRAIN, backend: 'wasm' });
  await waitFor(page, `d.metrics.length >= ${Math.ceil(TRAIN.iterations * 0.6)}`);
  const whileTraining = join(SCREENSHOTS, 'demo-training.png');
  await sectionScreenshot(page, '#train-section', whileTraining);
  await waitFor(page, "d.state === 'finished' || d.state === 'error'");
  let d = await demo(page);
  const nodeTheta = trainer.policy.getFlat();
  record(`the page meta-trains ${TRAIN.iterations} iterations in its worker and then holds the policy`, d.state === 'finished' && d.metrics.length === TRAIN.iterations
    && d.policy?.source === 'trained' && d.policy.params.length === 5,
  `state ${d.state}, ${d.metrics.length} iterations, policy ${d.policy?.origin}, ${d.policy?.params.length} sliders, screenshot ${whileTraining}; ${errorsText()}`);

  // 2. A task outside the training range, marked; adapt; both episodes played.
  await setSlider(page, 'halfLength', ADAPT.halfLength);
  const marked = await page.evaluate(() => document.querySelector('.param[data-name="halfLength"]')?.getAttribute('data-outside'));
  const first = await adaptInPage(page);
  await waitFor(page, "d.playback === 'done'", 30_000);
  const afterAdapting = join(SCREENSHOTS, 'demo-adapted.png');
  await sectionScreenshot(page, '#adapt-section', afterAdapting);
  const family = dm.taskFamily(TRAIN.env);
  const task = family.task(first.task);
  const expected = await dm.adaptPolicy(trainer.policy, family, task, { steps: ADAPT.steps, episodes: ADAPT.episodes, innerLr: trainer.config.innerLr, seed: ADAPT.seed });
  const metaEpisode = dm.recordEpisode(family, trainer.policy, task, { seed: ADAPT.seed });
  const adaptedEpisode = dm.recordEpisode(family, expected.policy, task, { seed: ADAPT.seed });
  const ink = [await inkOf(page, 'episode-meta'), await inkOf(page, 'episode-adapted')];
  record('a task outside the training range is marked; the adaptation\'s returns and both played episodes equal Node\'s bit for bit',
    marked === 'true' && first.outside.join() === 'halfLength' && first.returns.length === ADAPT.steps + 1
      && JSON.stringify(first.returns) === JSON.stringify(expected.returns)
      && first.metaEpisodeReturn === metaEpisode.return && first.adaptedEpisodeReturn === adaptedEpisode.return
      && ink.every((n) => n > 500),
    `marked ${marked}, outside [${first.outside}], returns page ${JSON.stringify(first.returns)} vs Node ${JSON.stringify(expected.returns)}, `
    + `episodes page ${first.metaEpisodeReturn} / ${first.adaptedEpisodeReturn} vs Node ${metaEpisode.return} / ${adaptedEpisode.return}, `
    + `canvas ink ${ink.join(' / ')} px, screenshot ${afterAdapting}; ${errorsText()}`);

  // 3. Save to IndexedDB and download the tfjs files.
  await page.fill('#save-name', NAME);
  await page.selectOption('#save-which', 'meta');
  await page.click('#save-idb');
  await waitFor(page, `d.store.state !== 'busy' && d.saved.includes(${JSON.stringify(NAME)})`, 30_000);
  const files: Record<string, string> = {};
  const twoDownloads = new Promise<void>((resolve) => {
    page.on('download', async (download) => {
      const path = join(downloads, download.suggestedFilename());
      await download.saveAs(path);
      files[download.suggestedFilename()] = path;
      if (Object.keys(files).length === 2) resolve();
    });
  });
  await page.click('#download');
  await Promise.race([twoDownloads, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  const jsonPath = files[`${NAME}.json`], weightsPath = files[`${NAME}.weights.bin`];
  const json = jsonPath ? JSON.parse(await readFile(jsonPath, 'utf8')) : null;
  const weightBytes = weightsPath ? (await stat(weightsPath)).size : -1;
  d = await demo(page);
  record('save: IndexedDB lists the policy; the download is a tfjs LayersModel (name.json naming name.weights.bin) with the policy\'s metadata',
    d.saved.includes(NAME) && json?.format === 'layers-model' && json.weightsManifest?.[0]?.paths?.[0] === `./${NAME}.weights.bin`
      && json.userDefinedMetadata?.[dm.POLICY_METADATA_KEY]?.env === TRAIN.env && weightBytes === nodeTheta.length * 4,
    `IndexedDB: [${d.saved}], downloads: ${Object.keys(files).join(', ') || 'none'}, weights ${weightBytes} bytes for ${nodeTheta.length} parameters; ${errorsText()}`);

  // 4. Reload: nothing in memory; load from IndexedDB and adapt: the same returns as before the reload.
  served.clear();
  await page.reload();
  await waitFor(page, "d.state === 'ready' || d.state === 'error'");
  await waitFor(page, `d.saved.includes(${JSON.stringify(NAME)})`, 30_000);
  const bytes = [...served.entries()].sort();
  const afterReload = (await demo(page)).policy;
  await page.selectOption('#saved-models', NAME);
  await page.click('#load-idb');
  await waitFor(page, "d.store.state === 'ok' || d.store.state === 'error'", 30_000);
  d = await demo(page);
  const fromIdb = d.policy;
  const second = await adaptInPage(page);
  record('after a reload (the untrained policy shown), the policy loaded from IndexedDB adapts to the same returns as before (bit for bit)',
    afterReload?.source === 'untrained' && fromIdb?.source === 'indexeddb' && fromIdb.innerLr === trainer.config.innerLr
      && JSON.stringify(second.returns) === JSON.stringify(first.returns) && second.adaptedEpisodeReturn === first.adaptedEpisodeReturn,
    `policy after reload: ${afterReload?.origin ?? 'none'}; loaded: ${fromIdb?.origin} (α ${fromIdb?.innerLr}); returns ${JSON.stringify(second.returns)}; `
    + `page load fetched ${bytes.map(([p, n]) => `${p} ${n}`).join(', ')}; ${errorsText()}`);

  // 5. Load the downloaded files with the file picker and adapt again.
  let third: DemoRecord['adaptation'] = null;
  if (jsonPath && weightsPath) {
    await page.setInputFiles('#load-files', [jsonPath, weightsPath]);
    await waitFor(page, "d.store.state === 'ok' || d.store.state === 'error'", 30_000);
    third = await adaptInPage(page);
  }
  d = await demo(page);
  record('the downloaded files, loaded with the file picker, adapt to the same returns (bit for bit)',
    d.policy?.source === 'files' && JSON.stringify(third?.returns) === JSON.stringify(first.returns),
    `loaded: ${d.policy?.origin}; returns ${JSON.stringify(third?.returns)}; store "${d.store.message}"; ${errorsText()}`);

  // 6. The other renderer: Intersection-v0, one small iteration, one adaptation step.
  await page.selectOption('#env', 'Intersection-v0');
  await page.fill('#iterations', '1');
  await page.fill('#meta-batch', '2');
  await page.fill('#episodes', '2');
  await page.click('#start');
  await waitFor(page, "d.state === 'finished' || d.state === 'error'");
  await setSlider(page, 'aggressiveness', 0.8);
  await page.fill('#adapt-steps', '1');
  await page.fill('#adapt-episodes', '4');
  await page.click('#adapt');
  await waitFor(page, "d.adaptState === 'ok' || d.adaptState === 'error'");
  await waitFor(page, "d.playback === 'done'", 30_000);
  d = await demo(page);
  const inkIntersection = [await inkOf(page, 'episode-meta'), await inkOf(page, 'episode-adapted')];
  record('Intersection-v0: trained, adapted and both episodes drawn by its renderer',
    d.policy?.env === 'Intersection-v0' && d.adaptation?.returns.length === 2 && inkIntersection.every((n) => n > 500),
    `policy ${d.policy?.env}, returns ${JSON.stringify(d.adaptation?.returns)}, canvas ink ${inkIntersection.join(' / ')} px; ${errorsText()}`);

  // 7. LunarLander-v2: its starting values, a short run, an adaptation with wind, both episodes drawn.
  await page.selectOption('#env', 'LunarLander-v2');
  const field = (id: string) => page.$eval(`#${id}`, (el) => (el as HTMLInputElement).value);
  const starting = { maxSteps: await field('max-steps'), outerLr: await field('outer-lr'), iterations: await field('iterations') };
  await page.fill('#iterations', String(LANDER_ITERATIONS));
  if (LANDER_ITERATIONS === 1) { // the test: a small run; the README's screenshot keeps the page's sizes
    await page.fill('#meta-batch', '4');
    await page.fill('#episodes', '4');
  }
  await page.click('#start');
  await waitFor(page, "d.state === 'finished' || d.state === 'error'", LANDER_ITERATIONS * 5_000 + 60_000);
  const landerSpeed = await field('speed');
  const windBounds = await page.$eval('.param[data-name="windPower"] input', (el) => [Number((el as HTMLInputElement).min), Number((el as HTMLInputElement).max)]);
  await setSlider(page, 'gravity', -10);
  await setSlider(page, 'windPower', 10);
  await page.fill('#adapt-steps', '1');
  await page.fill('#adapt-episodes', '6');
  await page.fill('#adapt-seed', '2');
  await page.fill('#adapt-lr', '');
  if (!process.argv.includes('--screenshots')) await page.selectOption('#speed', '16');
  await page.click('#adapt');
  await waitFor(page, "d.adaptState === 'ok' || d.adaptState === 'error'");
  await waitFor(page, "d.playback === 'done'", 60_000);
  d = await demo(page);
  const inkLander = [await inkOf(page, 'episode-meta'), await inkOf(page, 'episode-adapted')];
  const afterLander = join(SCREENSHOTS, 'demo-lander.png');
  await sectionScreenshot(page, '#adapt-section', afterLander);
  // Node: the config the page resolved trains the same θ; the same adaptation and episodes (400-step limit).
  const landerConfig = d.config!;
  const landerTrainer = new dm.Trainer({ ...landerConfig, backend: 'wasm' });
  for await (const _ of landerTrainer.run()) { /* the page's iterations */ }
  const lunar = dm.taskFamily('LunarLander-v2');
  const windTask = lunar.task(d.adaptation!.task);
  const landerExpected = await dm.adaptPolicy(landerTrainer.policy, lunar, windTask, { steps: 1, episodes: 6, innerLr: landerConfig.innerLr, seed: 2, maxSteps: landerConfig.maxSteps });
  const landerMeta = dm.recordEpisode(lunar, landerTrainer.policy, windTask, { seed: 2, maxSteps: landerConfig.maxSteps });
  const landerAdapted = dm.recordEpisode(lunar, landerExpected.policy, windTask, { seed: 2, maxSteps: landerConfig.maxSteps });
  record('LunarLander-v2: the page starts it at 400 steps, outer lr 3e-3, real speed; wind over its whole domain; the adaptation in wind and both episodes equal Node\'s',
    starting.maxSteps === '400' && starting.outerLr === '0.003' && landerSpeed === '1' && windBounds[0] === 0 && windBounds[1] === 20
      && d.policy?.env === 'LunarLander-v2' && landerConfig.maxSteps === 400 && d.adaptation?.outside.join() === 'windPower'
      && JSON.stringify(d.adaptation?.returns) === JSON.stringify(landerExpected.returns)
      && d.adaptation?.metaEpisodeReturn === landerMeta.return && d.adaptation?.adaptedEpisodeReturn === landerAdapted.return
      && inkLander.every((n) => n > 500),
    `starting values ${JSON.stringify(starting)}, speed ${landerSpeed}×, windPower slider [${windBounds}]; task ${JSON.stringify(d.adaptation?.task)} (outside: ${d.adaptation?.outside}); `
    + `returns page ${JSON.stringify(d.adaptation?.returns)} vs Node ${JSON.stringify(landerExpected.returns)}; episodes page ${d.adaptation?.metaEpisodeReturn} / ${d.adaptation?.adaptedEpisodeReturn} `
    + `vs Node ${landerMeta.return} / ${landerAdapted.return} (${landerMeta.length} / ${landerAdapted.length} steps); canvas ink ${inkLander.join(' / ')} px, screenshot ${afterLander}; ${errorsText()}`);
  landerExpected.policy.dispose();
  landerTrainer.dispose();

  record('no console error in the page or its worker during the whole flow', errors.length === 0, errorsText());
  expected.policy.dispose();
  trainer.dispose();
}

process.exit(await runChecks('flow', TIMEOUT_MS, run));
