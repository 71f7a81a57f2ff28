// The demo page before any training (Debian's Chromium, headless): it starts alive — within seconds of
// load the chosen env's untrained policy is drawn on the episode canvas, no run started; a moved
// slider plays the policy on the new task; choosing another env leaves none of the previous env's
// sliders and no old error; a policy saved to IndexedDB can be deleted (gone after a reload too);
// errors speak the page's words and echo what was typed (a bad hidden-sizes field, a model .json
// chosen without its weight file), not the CLI's or tfjs's. Last, the page's starting values leave
// room to adapt: for the default env and CartPole-v1, a run at the env's starting values, then Adapt
// at its starting values, raises the mean return visibly (not 500 → 500).
//
// Run: npm run test:browser (builds first), or after a build:
//   node --import tsx test/browser/page.browser.ts [--screenshots DIR]   (the README's: --screenshots docs)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as dm from 'directed-maml';
import { startServer, launchChromium, runChecks, collectErrors, type Recorder, type Resources } from './harness';

const TIMEOUT_MS = 360_000;
/** The least rise of the mean return over the adaptation steps that counts as visible (measured on the common evaluation batch: 16.1 on Navigation2D-v0, 14.3 on CartPole-v1). */
const VISIBLE_GAIN = 5;
/** "Within seconds" of load on a loaded machine: a generous bound, not a timing claim. */
const DRAWN_WITHIN_MS = 20_000;
const screenshots = process.argv.indexOf('--screenshots');
/** The page's second section as it is on load (the temp dir unless --screenshots DIR). */
const SCREENSHOT = join(screenshots > 0 ? process.argv[screenshots + 1] : tmpdir(), 'demo-on-load.png');

interface DemoRecord {
  state: string;
  config: { env: string; iterations: number; metaBatch: number; episodes: number; hidden: number[] } | null;
  adaptation: { task: Record<string, number>; returns: number[] } | null;
  metrics: unknown[];
  policy: { env: string; source: string; origin: string; params: { name: string }[] } | null;
  preview: { env: string; task: Record<string, number>; return: number; length: number } | null;
  saved: string[];
  store: { state: string; message: string };
  adaptState: string;
}

const demo = (page: Page) => page.evaluate(() => (window as unknown as { dmDemo: DemoRecord }).dmDemo);
const waitFor = (page: Page, predicate: string, timeout = 30_000) =>
  page.waitForFunction(`(() => { const d = window.dmDemo; return ${predicate}; })()`, undefined, { timeout }).then(() => true, () => false);

/** Non-white pixels of a canvas (a renderer drew something). */
const inkOf = (page: Page, id: string) => page.evaluate((canvasId) => {
  const c = document.getElementById(canvasId) as HTMLCanvasElement;
  const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink++;
  return ink;
}, id);

/** The three status lines: state and text. */
const statuses = (page: Page) => page.evaluate(() => ['status', 'adapt-status', 'store-status'].map((id) => {
  const el = document.getElementById(id)!;
  return { id, state: el.dataset.state ?? '', text: el.textContent ?? '' };
}));

const sliderNames = (page: Page) => page.$$eval('#task-params .param', (boxes) => boxes.map((b) => (b as HTMLElement).dataset.name ?? ''));

async function setSlider(page: Page, name: string, value: number): Promise<void> {
  await page.evaluate(([n, v]) => {
    const input = document.querySelector(`.param[data-name="${n}"] input`) as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, [name, value] as const);
}

async function run(record: Recorder, resources: Resources): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'dm-page-profile-'));
  const files = await mkdtemp(join(tmpdir(), 'dm-page-files-'));
  resources.add(() => rm(profile, { recursive: true, force: true }));
  resources.add(() => rm(files, { recursive: true, force: true }));
  const { server, url, missing } = await startServer();
  resources.add(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const context = await launchChromium(profile);
  resources.add(() => context.close(), { first: true });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 960, height: 1300 });
  const errorsText = () => `console errors: ${errors.join(' | ') || 'none'}; not served: ${missing.join(', ') || 'none'}`;
  await dm.init();

  // 1. On load, before any training: the env drawn by its untrained policy.
  await page.goto(`${url}demo.html`);
  const drawn = await waitFor(page, "d.preview !== null && d.playback === 'done'", DRAWN_WITHIN_MS);
  let d = await demo(page);
  const env = d.policy?.env ?? '(none)';
  const ink = await inkOf(page, 'episode-meta');
  const section = page.locator('#adapt-section');
  await section.scrollIntoViewIfNeeded();
  const box = await section.boundingBox();
  if (box) await page.screenshot({ path: SCREENSHOT, clip: { x: box.x - 12, y: box.y - 12, width: box.width + 24, height: box.height + 24 } });
  const envParams = dm.envIds().includes(env) ? dm.envSpec(env).params.map((p) => p.name) : [];
  record(`on load the chosen env is drawn with its untrained policy within ${DRAWN_WITHIN_MS / 1000} s, before any training`,
    drawn && d.metrics.length === 0 && d.state === 'ready' && d.policy?.source === 'untrained' && d.preview?.env === env
      && ink > 500 && (await sliderNames(page)).join() === envParams.join(),
    `drawn: ${drawn}, state ${d.state}, ${d.metrics.length} iterations, policy ${env} (${d.policy?.source}), episode of ${d.preview?.length} steps `
    + `(return ${d.preview?.return}), canvas ink ${ink} px, sliders [${await sliderNames(page)}], screenshot ${SCREENSHOT}; ${errorsText()}`);

  // 2. A moved slider plays the policy on the new task.
  const param = d.policy?.params.find((p) => p.name === 'halfLength') ?? d.policy?.params[0];
  const name0 = param?.name ?? '';
  const before = d.preview?.task[name0];
  const bounds = await page.$eval(`.param[data-name="${name0}"] input`, (el) => [Number((el as HTMLInputElement).min), Number((el as HTMLInputElement).max)]);
  await setSlider(page, name0, bounds[0] + 0.2 * (bounds[1] - bounds[0]));
  const target = Number(await page.$eval(`.param[data-name="${name0}"] input`, (el) => (el as HTMLInputElement).value)); // on the slider's grid
  const replayed = await waitFor(page, `d.preview !== null && Math.abs(d.preview.task[${JSON.stringify(name0)}] - ${target}) < 1e-5 && d.playback === 'done'`);
  d = await demo(page);
  record('a moved slider plays the policy again on the new task',
    replayed && target !== before && (await inkOf(page, 'episode-meta')) > 500,
    `${name0}: ${before} → slider ${target}, episode on ${d.preview?.task[name0]} (${d.preview?.length} steps); ${errorsText()}`);

  // 2b. A new seed remakes the untrained policy shown, on the same task.
  await page.fill('#seed', '7');
  await page.press('#seed', 'Tab'); // the field's change event
  const remade = await waitFor(page, `d.policy !== null && d.policy.origin === 'untrained (seed 7)' && d.preview !== null && d.playback === 'done'`);
  d = await demo(page);
  record('a new seed in the form remakes the untrained policy shown, and the sliders keep their task',
    remade && Math.abs((d.preview?.task[name0] ?? NaN) - target) < 1e-5,
    `policy ${d.policy?.origin}, ${name0} ${d.preview?.task[name0]} (slider was ${target}); ${errorsText()}`);
  await page.fill('#seed', '1');
  await page.press('#seed', 'Tab');
  await waitFor(page, `d.policy !== null && d.policy.origin === 'untrained (seed 1)'`);

  // 3. An error in the page's words: what was typed in the field, and what it accepts.
  await page.fill('#hidden', '64,x');
  await page.click('#start');
  await waitFor(page, "d.state === 'error' || d.state === 'running' || d.state === 'finished'");
  const hiddenError = (await statuses(page))[0];
  const words = hiddenError.text;
  record('a bad hidden-sizes field is refused in the page\'s words, echoing what was typed',
    hiddenError.state === 'error' && words.startsWith('Hidden sizes: you typed "64,x"; allowed: ') && !/CLI|NaN|got \[/.test(words),
    `status (${hiddenError.state}): "${words}"`);

  // 4. Another env: its untrained policy, its sliders only, no old error.
  const other = dm.envIds().find((id) => id !== env && id === 'Intersection-v0') ?? dm.envIds().find((id) => id !== env)!;
  await page.selectOption('#env', other);
  const switched = await waitFor(page, `d.preview !== null && d.preview.env === ${JSON.stringify(other)} && d.playback === 'done'`);
  d = await demo(page);
  const names = await sliderNames(page);
  const expected = dm.envSpec(other).params.map((p) => p.name);
  const afterSwitch = await statuses(page);
  record(`choosing ${other} after ${env} shows ${other}'s untrained policy and sliders only, and no old error`,
    switched && d.policy?.env === other && d.policy.source === 'untrained' && names.join() === expected.join()
      && afterSwitch.every((s) => s.state !== 'error' && !s.text.includes('Error') && !s.text.includes('you typed'))
      && (await page.inputValue('#hidden')) !== '64,x' && (await inkOf(page, 'episode-meta')) > 500,
    `policy ${d.policy?.env} (${d.policy?.source}), sliders [${names}] (expected [${expected}]), hidden "${await page.inputValue('#hidden')}", `
    + `statuses ${JSON.stringify(afterSwitch.map((s) => `${s.id} ${s.state}: ${s.text}`))}; ${errorsText()}`);

  // 5. A model .json chosen without its weight file: the page names both files.
  const jsonPath = join(files, 'lonely.json');
  await writeFile(jsonPath, JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['./lonely.weights.bin'], weights: [] }] }));
  await page.setInputFiles('#load-files', [jsonPath]);
  await waitFor(page, "d.store.state === 'ok' || d.store.state === 'error'");
  const storeError = (await statuses(page))[2];
  record('a model .json chosen without its weight file is refused in the page\'s words, naming the chosen and the missing file',
    storeError.state === 'error' && storeError.text.startsWith('Files: you chose "lonely.json"') && storeError.text.includes('lonely.weights.bin')
      && !storeError.text.includes('basename'),
    `status (${storeError.state}): "${storeError.text}"`);

  // 6. Save the policy shown to IndexedDB, delete it, reload: it stays deleted.
  const name = 'page-test-policy';
  await page.fill('#save-name', name);
  await page.click('#save-idb');
  const saved = await waitFor(page, `d.saved.includes(${JSON.stringify(name)})`);
  if (!saved) {
    record('a policy saved to IndexedDB is deleted from the list and from IndexedDB (still gone after a reload)', false,
      `the save did not list ${name}: ${JSON.stringify(await statuses(page))}; ${errorsText()}`);
    return;
  }
  await page.selectOption('#saved-models', name);
  await page.click('#delete-idb');
  const deleted = await waitFor(page, `d.store.state !== 'busy' && !d.saved.includes(${JSON.stringify(name)})`);
  const options = await page.$$eval('#saved-models option', (o) => o.map((x) => (x as HTMLOptionElement).value));
  const deleteStatus = (await statuses(page))[2];
  await page.reload();
  await waitFor(page, "d.state === 'ready' && d.preview !== null");
  await waitFor(page, "d.store.message !== ''", 10_000);
  d = await demo(page);
  const idb = await page.evaluate(() => new Promise<string[]>((resolve) => {
    const open = indexedDB.open('tensorflowjs');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('models_store')) { resolve([]); return; }
      const all = db.transaction('models_store').objectStore('models_store').getAllKeys();
      all.onsuccess = () => resolve(all.result.map(String));
      all.onerror = () => resolve(['(unreadable)']);
    };
    open.onerror = () => resolve(['(unreadable)']);
  }));
  record('a policy saved to IndexedDB is deleted from the list and from IndexedDB (still gone after a reload)',
    saved && deleted && !options.includes(name) && deleteStatus.state === 'ok' && deleteStatus.text.includes(name)
      && !d.saved.includes(name) && !idb.includes(name),
    `saved ${saved}, deleted ${deleted}, options after [${options}], status "${deleteStatus.text}", after reload [${d.saved}], IndexedDB keys [${idb}]; ${errorsText()}`);

  // 7. The starting values of the default env and of CartPole-v1 (whose earlier ones reached 500 before
  // adapting): train, then adapt, as a first visit would.
  for (const env of [...new Set([d.policy?.env ?? 'Navigation2D-v0', 'CartPole-v1'])]) {
    if (d.policy?.env !== env) {
      await page.selectOption('#env', env);
      await waitFor(page, `d.preview !== null && d.preview.env === ${JSON.stringify(env)}`);
    }
    await page.click('#start');
    const trained = await waitFor(page, "d.state === 'finished' || d.state === 'error'", 240_000);
    await page.selectOption('#speed', '16');
    await page.click('#adapt');
    const adapted = trained && await waitFor(page, "d.adaptState === 'ok' || d.adaptState === 'error'", 60_000);
    d = await demo(page);
    const returns = d.adaptation?.returns ?? [];
    const gain = returns.length > 1 ? returns[returns.length - 1] - returns[0] : NaN;
    record(`at the page's starting values for ${env}, Adapt after a run raises the mean return by more than ${VISIBLE_GAIN}`,
      trained && adapted && d.state === 'finished' && d.adaptState === 'ok' && d.config?.env === env && gain > VISIBLE_GAIN,
      `run ${JSON.stringify(d.config && { env: d.config.env, iterations: d.config.iterations, metaBatch: d.config.metaBatch, episodes: d.config.episodes, hidden: d.config.hidden })}, `
      + `task ${JSON.stringify(d.adaptation?.task)}, returns ${returns.map((r) => r.toFixed(1)).join(' → ')} (gain ${gain.toFixed(1)}); `
      + `statuses ${JSON.stringify((await statuses(page)).map((s) => s.text))}; ${errorsText()}`);
  }

  record('no console error in the page or its worker', errors.length === 0, errorsText());
}

process.exit(await runChecks('page', TIMEOUT_MS, run));
