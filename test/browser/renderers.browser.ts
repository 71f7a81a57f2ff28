// The demo's renderers draw what the state says (Chromium canvas, pixels read back): the CartPole
// cart moves right with x, the pole leans the way θ says and grows with halfLength; the
// Intersection ego car moves right with its position, the other car down with its own, and the
// zone turns to the collision colour when both cars are in it. The renderers are bundled for the
// test page with esbuild from src/browser/render/ (the same modules demo.js bundles).
//
// Run: npm run test:browser (builds first), or: node --import tsx test/browser/renderers.browser.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startServer, launchChromium, runChecks, collectErrors, CONTENT_TYPES, type Recorder, type Resources } from './harness';

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>renderers</title></head>
<body><canvas id="c" width="420" height="260"></canvas>
<script type="module">
  import { rendererFor } from './renderers.js';
  const canvas = document.getElementById('c');
  const ctx = canvas.getContext('2d');
  // Draws one state and returns the centroid and count of the pixels close to a colour.
  window.draw = (envId, state, task, colours) => {
    rendererFor(envId).draw(ctx, { state: Float32Array.from(state), task, step: 0, return: 0, reward: 0, end: null });
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    return colours.map(([r, g, b]) => {
      let n = 0, sx = 0, sy = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) {
          const p = i / 4;
          n++; sx += p % canvas.width; sy += Math.floor(p / canvas.width);
        }
      }
      return { n, x: n ? sx / n : NaN, y: n ? sy / n : NaN };
    });
  };
  window.renderersReady = true;
</script></body></html>`;

type Blob = { n: number; x: number; y: number };
const CART = [0x4e, 0x79, 0xa7], POLE = [0xc9, 0xa2, 0x27], OTHER = [0xe1, 0x57, 0x59], ZONE = [0xf4, 0xc7, 0xc3], COLLISION = [0xff, 0x81, 0x82];

async function run(record: Recorder, resources: Resources): Promise<void> {
  const bundle = await build({
    entryPoints: [new URL('../../src/browser/render/index.ts', import.meta.url).pathname],
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false,
  });
  const profile = await mkdtemp(join(tmpdir(), 'dm-renderers-'));
  resources.add(() => rm(profile, { recursive: true, force: true }));
  const { server, url } = await startServer({
    '/renderers.html': { type: CONTENT_TYPES['.html'], body: PAGE_HTML },
    '/renderers.js': { type: CONTENT_TYPES['.js'], body: bundle.outputFiles[0].text },
  });
  resources.add(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const context = await launchChromium(profile);
  resources.add(() => context.close(), { first: true });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(`${url}renderers.html`);
  await page.waitForFunction(() => (window as unknown as { renderersReady?: boolean }).renderersReady === true, undefined, { timeout: 30_000 });
  const draw = (envId: string, state: number[], task: Record<string, number>, colours: number[][]) =>
    page.evaluate(([e, s, t, c]) => (window as unknown as { draw(...a: unknown[]): Blob[] }).draw(e, s, t, c), [envId, state, task, colours] as const);

  const task = { gravity: 9.8, massCart: 1, massPole: 0.1, halfLength: 0.5, forceMag: 10 };
  const [left] = await draw('CartPole-v1', [-1.5, 0, 0, 0], task, [CART]);
  const [right] = await draw('CartPole-v1', [1.5, 0, 0, 0], task, [CART]);
  // θ = ±0.2 rad (inside the 12° limit, so the pole keeps its colour) on a 1.5 m pole.
  const [cartR, poleR] = await draw('CartPole-v1', [0, 0, 0.2, 0], { ...task, halfLength: 0.75 }, [CART, POLE]);
  const [, poleL] = await draw('CartPole-v1', [0, 0, -0.2, 0], { ...task, halfLength: 0.75 }, [CART, POLE]);
  const [, shortPole] = await draw('CartPole-v1', [0, 0, 0, 0], { ...task, halfLength: 0.25 }, [CART, POLE]);
  const [, longPole] = await draw('CartPole-v1', [0, 0, 0, 0], { ...task, halfLength: 0.75 }, [CART, POLE]);
  record('CartPole-v1: the cart follows x, the pole leans with θ and grows with halfLength',
    left.n > 100 && right.x - left.x > 100 && poleR.x > cartR.x + 5 && poleL.x < cartR.x - 5 && longPole.n > 1.5 * shortPole.n,
    `cart centroid x ${left.x.toFixed(0)} (x = −1.5 m) → ${right.x.toFixed(0)} (x = +1.5 m); pole centroid x ${poleL.x.toFixed(0)} (θ −0.2) / ${poleR.x.toFixed(0)} (θ +0.2) around the cart's ${cartR.x.toFixed(0)}; `
    + `pole pixels ${shortPole.n} (halfLength 0.25) → ${longPole.n} (0.75)`);

  const beta = { aggressiveness: 0.5, otherInitialSpeed: 10 };
  const [egoFar, otherFar, zoneFree] = await draw('Intersection-v0', [-30, 10, -30, 10], beta, [CART, OTHER, ZONE]);
  const [egoNear, otherNear] = await draw('Intersection-v0', [-8, 10, -8, 10], beta, [CART, OTHER]);
  const [, , zoneAfter, collision] = await draw('Intersection-v0', [3, 10, 3, 10], beta, [CART, OTHER, ZONE, COLLISION]);
  record('Intersection-v0: the ego car moves right and the other down with their positions; both in the zone shows a collision',
    egoNear.x - egoFar.x > 50 && Math.abs(egoNear.y - egoFar.y) < 2 && otherNear.y - otherFar.y > 50 && Math.abs(otherNear.x - otherFar.x) < 2
      && zoneFree.n > 50 && collision.n > 50 && zoneAfter.n === 0,
    `ego centroid x ${egoFar.x.toFixed(0)} → ${egoNear.x.toFixed(0)} (p −30 → −8 m), other centroid y ${otherFar.y.toFixed(0)} → ${otherNear.y.toFixed(0)}; `
    + `zone pixels: ${zoneFree.n} free, collision colour ${collision.n} with both cars at p = 3 m`);
  record('no console error while drawing', errors.length === 0, errors.join(' | ') || 'none');
}

process.exit(await runChecks('renderers', 60_000, run));
