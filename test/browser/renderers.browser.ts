// The demo's renderers draw what the scene says (Chromium canvas, pixels read back). Scenes are
// built by the library here in Node (dm.episodeScene, from real env states), then moved, rotated
// or flagged to probe the pixels: the CartPole cart moves right with x, the pole leans the way θ
// says and grows with halfLength; the Intersection ego car moves right with its position, the
// other car down with its own, the zone turns to the collision colour when both cars are in it;
// the lander's centroid follows its x and y at one scale for both axes, its legs turn with its
// body, a leg flagging ground contact turns green, the terrain's pixels follow the state's heights,
// each engine's exhaust appears where its impulse pushes from (none for noop), the wind arrow
// points with the wind, and the end label has the outcome's colour. The renderers are bundled for
// the test page with esbuild from src/browser/render/ (the same modules demo.js bundles).
//
// Run: npm run test:browser (builds first), or: node --import tsx test/browser/renderers.browser.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import * as dm from 'directed-maml';
import { startServer, launchChromium, runChecks, collectErrors, CONTENT_TYPES, type Recorder, type Resources } from './harness';
import { LANDER_COLOUR, LEG_CONTACT_COLOUR, FLAME_COLOUR, MOON_COLOUR, WIND_COLOUR } from '../../src/browser/render/lunar-lander';
import { GOOD as GOOD_COLOUR, DANGER as DANGER_COLOUR } from '../../src/browser/render/types';

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>renderers</title></head>
<body><canvas id="c" width="420" height="260"></canvas>
<script type="module">
  import { rendererFor } from './renderers.js';
  const canvas = document.getElementById('c');
  const ctx = canvas.getContext('2d');
  // Draws frame \`step\` of a scene and returns the centroid and count of the pixels close to each colour.
  window.draw = (scene, step, end, colours) => {
    rendererFor(scene.env).draw(ctx, { scene, step, return: 0, reward: 0, end });
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    return colours.map(([r, g, b]) => {
      let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) {
          const p = i / 4, x = p % canvas.width, y = Math.floor(p / canvas.width);
          n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
        }
      }
      const mx = sx / n, my = sy / n;
      const cxx = sxx / n - mx * mx, cyy = syy / n - my * my, cxy = sxy / n - mx * my;
      // The principal axis of the pixels (rad, y up, in (−π/2, π/2]).
      const axis = 0.5 * Math.atan2(-2 * cxy, cxx - cyy);
      return { n, x: n ? mx : NaN, y: n ? my : NaN, axis: n ? axis : NaN };
    });
  };
  // The topmost row (from \`fromY\` down) of column x whose pixel is close to a colour, or -1.
  window.columnTop = (x, fromY, [r, g, b]) => {
    const data = ctx.getImageData(x, 0, 1, canvas.height).data;
    for (let y = fromY; y < canvas.height; y++) {
      if (Math.abs(data[4 * y] - r) + Math.abs(data[4 * y + 1] - g) + Math.abs(data[4 * y + 2] - b) < 30) return y;
    }
    return -1;
  };
  window.renderersReady = true;
</script></body></html>`;

type Blob = { n: number; x: number; y: number; axis: number };
const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const CART = hex('#4e79a7'), POLE = hex('#c9a227'), OTHER = hex('#e15759'), ZONE = hex('#f4c7c3'), COLLISION = hex('#ff8182');
// The lander renderer's colours, from its modules (type imports only: they load in Node).
const LANDER = hex(LANDER_COLOUR), LEG_CONTACT = hex(LEG_CONTACT_COLOUR), FLAME = hex(FLAME_COLOUR), MOON = hex(MOON_COLOUR),
  WIND = hex(WIND_COLOUR), GOOD = hex(GOOD_COLOUR), DANGER = hex(DANGER_COLOUR);

type AnyScene = dm.Scene & Record<string, unknown>;

/** A scene of `frames` (state rows) of one task, built by the library; the actions taken between them. */
function sceneOf(envId: string, task: Record<string, number>, states: Float32Array[], actions: number[] = []): AnyScene {
  const family = dm.taskFamily(envId);
  const flat = new Float32Array(states.length * family.stateDim);
  states.forEach((row, f) => flat.set(row, f * family.stateDim));
  return dm.episodeScene(family, family.task(task), { states: flat, actions: Int32Array.from(actions), length: states.length - 1, terminated: false }) as AnyScene;
}

/** The lander's action codes, as the module defines them. */
const codesOf = (family: dm.TaskFamily) => (dm.episodeScene(family, family.medium(), { states: new Float32Array(family.stateDim), actions: new Int32Array(0), length: 0, terminated: false }) as dm.LunarLanderScene).actionCodes;

/** Plain arrays for page.evaluate (NaN survives its serialisation). */
const plain = (scene: AnyScene) => Object.fromEntries(Object.entries(scene).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v]));

/** The lander scene's frame-0 bodies moved rigidly: rotated by φ about the lander's origin, then placed with that origin at (x, y). */
function placeLander(scene: dm.LunarLanderScene, x: number, y: number, phi = 0): dm.LunarLanderScene {
  const bodies = scene.bodies.slice(0, 9);
  const ox = bodies[0], oy = bodies[1];
  for (let b = 0; b < 3; b++) {
    const rx = bodies[3 * b] - ox, ry = bodies[3 * b + 1] - oy;
    bodies[3 * b] = x + Math.cos(phi) * rx - Math.sin(phi) * ry;
    bodies[3 * b + 1] = y + Math.sin(phi) * rx + Math.cos(phi) * ry;
    bodies[3 * b + 2] += phi;
  }
  return { ...scene, steps: 0, bodies, legContact: scene.legContact.slice(0, 2), flames: scene.flames.slice(0, 4), wind: scene.wind.slice(0, 1), turbulence: scene.turbulence.slice(0, 1) };
}

async function run(record: Recorder, resources: Resources): Promise<void> {
  await dm.init();
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
  const draw = (scene: AnyScene, colours: number[][], step = 0, end: string | null = null) =>
    page.evaluate(([sc, st, e, c]) => (window as unknown as { draw(...a: unknown[]): Blob[] }).draw(sc, st, e, c), [plain(scene), step, end, colours] as const);
  const columnTop = (x: number, fromY: number, colour: number[]) =>
    page.evaluate(([a, b, c]) => (window as unknown as { columnTop(...a: unknown[]): number }).columnTop(a, b, c), [Math.round(x), fromY, colour] as const);

  // CartPole-v1: state rows [x, ẋ, θ, θ̇] as the module lays them out.
  const cart = (x: number, theta: number, halfLength = 0.5) => sceneOf('CartPole-v1', { halfLength }, [Float32Array.of(x, 0, theta, 0)]);
  const [left] = await draw(cart(-1.5, 0), [CART]);
  const [right] = await draw(cart(1.5, 0), [CART]);
  // θ = ±0.2 rad (inside the 12° limit, so the pole keeps its colour) on a 1.5 m pole.
  const [cartR, poleR] = await draw(cart(0, 0.2, 0.75), [CART, POLE]);
  const [, poleL] = await draw(cart(0, -0.2, 0.75), [CART, POLE]);
  const [, shortPole] = await draw(cart(0, 0, 0.25), [CART, POLE]);
  const [, longPole] = await draw(cart(0, 0, 0.75), [CART, POLE]);
  record('CartPole-v1: the cart follows x, the pole leans with θ and grows with halfLength',
    left.n > 100 && right.x - left.x > 100 && poleR.x > cartR.x + 5 && poleL.x < cartR.x - 5 && longPole.n > 1.5 * shortPole.n,
    `cart centroid x ${left.x.toFixed(0)} (x = −1.5 m) → ${right.x.toFixed(0)} (x = +1.5 m); pole centroid x ${poleL.x.toFixed(0)} (θ −0.2) / ${poleR.x.toFixed(0)} (θ +0.2) around the cart's ${cartR.x.toFixed(0)}; `
    + `pole pixels ${shortPole.n} (halfLength 0.25) → ${longPole.n} (0.75)`);

  const cars = (p: number) => sceneOf('Intersection-v0', { aggressiveness: 0.5 }, [Float32Array.of(p, 10, p, 10)]);
  const [egoFar, otherFar, zoneFree] = await draw(cars(-30), [CART, OTHER, ZONE]);
  const [egoNear, otherNear] = await draw(cars(-8), [CART, OTHER]);
  const [, , zoneAfter, collision] = await draw(cars(3), [CART, OTHER, ZONE, COLLISION]);
  record('Intersection-v0: the ego car moves right and the other down with their positions; both in the zone shows a collision',
    egoNear.x - egoFar.x > 50 && Math.abs(egoNear.y - egoFar.y) < 2 && otherNear.y - otherFar.y > 50 && Math.abs(otherNear.x - otherFar.x) < 2
      && zoneFree.n > 50 && collision.n > 50 && zoneAfter.n === 0,
    `ego centroid x ${egoFar.x.toFixed(0)} → ${egoNear.x.toFixed(0)} (p −30 → −8 m), other centroid y ${otherFar.y.toFixed(0)} → ${otherNear.y.toFixed(0)}; `
    + `zone pixels: ${zoneFree.n} free, collision colour ${collision.n} with both cars at p = 3 m`);

  // IntersectionOccluded-v0: the same picture; the other car faded while hidden (p_o < −12 m), a building on the corner.
  const BUILDING = hex('#a9a29a');
  const blind = (p: number) => sceneOf('IntersectionOccluded-v0', { aggressiveness: 0.5 }, [Float32Array.of(p, 10, p, 10)]);
  const [egoBlind, hiddenOther, building] = await draw(blind(-30), [CART, OTHER, BUILDING]);
  const [, seenOther] = await draw(blind(-8), [CART, OTHER]);
  const [, openOther, noBuilding] = await draw(cars(-30), [CART, OTHER, BUILDING]);
  // (Intersection-v0 has a few antialiased text pixels close to the building's colour.)
  record('IntersectionOccluded-v0: the other car is drawn faded while hidden and in full once in sight; a building hides the corner',
    egoBlind.n > 50 && hiddenOther.n === 0 && seenOther.n > 50 && openOther.n > 50 && building.n > 5000 && noBuilding.n < 500,
    `other car pixels in full colour: ${hiddenOther.n} hidden at −30 m, ${seenOther.n} in sight at −8 m (Intersection-v0 at −30 m: ${openOther.n}); building pixels ${building.n} (Intersection-v0: ${noBuilding.n})`);

  // LunarLander-v2: a reset state of the module (terrain, lander, legs), then its first steps.
  const lunar = dm.taskFamily('LunarLander-v2');
  const env = lunar.makeVecEnv({ numEnvs: 1 });
  env.setTasks(lunar.task({ gravity: -10 }));
  env.reset({ seed: 4 });
  const reset = env.getState();
  // The legs spawn level with the lander; after a few steps the joints hold them below it.
  for (let t = 0; t < 10; t++) env.step([codesOf(lunar).noop]);
  const hanging = env.getState();
  const stepped = (action: number) => {
    env.setState(reset);
    env.step([action]);
    return sceneOf('LunarLander-v2', { gravity: -10 }, [reset, env.getState()], [action]) as dm.LunarLanderScene;
  };
  const base = sceneOf('LunarLander-v2', { gravity: -10 }, [hanging]) as dm.LunarLanderScene;
  const at = (x: number, y: number, phi = 0) => placeLander(base, x, y, phi) as AnyScene;
  const [a] = await draw(at(6, 7), [LANDER]);
  const [b] = await draw(at(14, 7), [LANDER]);
  const [c] = await draw(at(6, 10), [LANDER]);
  const pxPerMX = (b.x - a.x) / 8, pxPerMY = (a.y - c.y) / 3;
  record('LunarLander-v2: the lander\'s centroid follows its x and y, at one scale for both axes',
    a.n > 100 && pxPerMX > 8 && Math.abs(b.y - a.y) < 1 && Math.abs(c.x - a.x) < 1 && Math.abs(pxPerMY / pxPerMX - 1) < 0.05 && Math.abs(b.n - a.n) < 0.1 * a.n,
    `centroid (${a.x.toFixed(1)}, ${a.y.toFixed(1)}) at (6, 7) m, (${b.x.toFixed(1)}, ${b.y.toFixed(1)}) at (14, 7), (${c.x.toFixed(1)}, ${c.y.toFixed(1)}) at (6, 10): `
    + `${pxPerMX.toFixed(2)} px/m across, ${pxPerMY.toFixed(2)} px/m up; ${a.n} lander pixels`);

  // Legs about the body: the line from legs[1] to legs[0] (each picked out by its contact colour) turns by φ with the body.
  const phi = 0.6;
  const legAt = async (phiBody: number, flags: [number, number]) => (await draw({ ...at(10, 8, phiBody), legContact: Uint8Array.from(flags) } as AnyScene, [LEG_CONTACT]))[0];
  const direction = async (phiBody: number) => {
    const [l0, l1] = [await legAt(phiBody, [1, 0]), await legAt(phiBody, [0, 1])];
    return { angle: Math.atan2(-(l0.y - l1.y), l0.x - l1.x), axes: [l0.axis, l1.axis], n: l0.n + l1.n }; // y up
  };
  const [upright, tilted] = [await direction(0), await direction(phi)];
  const turned = tilted.angle - upright.angle;
  // Each leg's own long axis (a box 4 × 16 px in Gymnasium's units) turns too, modulo π.
  const axisTurn = [0, 1].map((k) => { const t = tilted.axes[k] - upright.axes[k]; return t - Math.PI * Math.round(t / Math.PI); });
  record(`LunarLander-v2: the legs turn with the body (rotated by ${phi} rad): their places and their own axes`,
    upright.n > 15 && Math.abs(turned - phi) < 0.06 && axisTurn.every((t) => Math.abs(t - phi) < 0.2),
    `the line from legs[1] to legs[0]: ${upright.angle.toFixed(3)} → ${tilted.angle.toFixed(3)} rad (turned ${turned.toFixed(3)}); `
    + `the legs' long axes turned ${axisTurn.map((t) => t.toFixed(3)).join(', ')} rad; leg pixels ${upright.n} → ${tilted.n}`);

  const touching = (flags: [number, number]) => ({ ...at(10, 8), legContact: Uint8Array.from(flags) }) as AnyScene;
  const [body0, contact0] = await draw(touching([1, 0]), [LANDER, LEG_CONTACT]);
  const [, contact1] = await draw(touching([0, 1]), [LANDER, LEG_CONTACT]);
  const [, contactNone] = await draw(touching([0, 0]), [LANDER, LEG_CONTACT]);
  record('LunarLander-v2: a leg flagging ground contact turns green (legs[0] on the +x side, legs[1] on the −x side)',
    contact0.n > 8 && contact1.n > 8 && contactNone.n === 0 && contact0.x > body0.x + 5 && contact1.x < body0.x - 5,
    `green pixels ${contact0.n} at x ${contact0.x.toFixed(0)} (legs[0]), ${contact1.n} at x ${contact1.x.toFixed(0)} (legs[1]), ${contactNone.n} with no contact; body at x ${body0.x.toFixed(0)}`);

  // Terrain: the moon's top edge at each chunk x lies where the state's height says, at the scale measured above.
  await draw(at(10, 12), [LANDER]);
  const originX = a.x - 6 * pxPerMX; // the lander's polygon is symmetric in x about its origin
  const offsets: number[] = [];
  for (let i = 1; i < base.terrainX.length - 1; i++) {
    const row = await columnTop(originX + base.terrainX[i] * pxPerMX, 30, MOON);
    offsets.push(row + base.terrainY[i] * pxPerMY); // the canvas row of y = 0: the same for every point
  }
  const spread = Math.max(...offsets) - Math.min(...offsets);
  record('LunarLander-v2: the terrain\'s top edge follows the state\'s heights (one y = 0 row for every chunk point)',
    offsets.every((o) => o > 0) && spread <= 3,
    `rows of y = 0 implied by the 9 inner points: ${offsets.map((o) => o.toFixed(1)).join(', ')} (spread ${spread.toFixed(1)} px); heights ${Array.from(base.terrainY.subarray(1, 10), (h) => h.toFixed(2)).join(', ')} m`);

  // Engines: one step from the reset state with each action; the exhaust where the scene's engine pushes from.
  const codes = base.actionCodes;
  const flames: Record<string, [Blob, Blob]> = {};
  for (const [name, code] of Object.entries(codes)) flames[name] = (await draw(stepped(code) as AnyScene, [LANDER, FLAME], 1)) as [Blob, Blob];
  record('LunarLander-v2: the main engine\'s exhaust below the lander, the left engine\'s on its +x side, the right\'s on its −x side, none for noop',
    flames.noop[1].n === 0 && flames.main[1].n > 15 && flames.main[1].y > flames.main[0].y + 5 && Math.abs(flames.main[1].x - flames.main[0].x) < 3
      && flames.left[1].n > 5 && flames.left[1].x > flames.left[0].x + 5 && flames.right[1].n > 5 && flames.right[1].x < flames.right[0].x - 5,
    Object.entries(flames).map(([k, [body, f]]) => `${k}: ${f.n} px at (${f.x.toFixed(0)}, ${f.y.toFixed(0)}), body (${body.x.toFixed(0)}, ${body.y.toFixed(0)})`).join('; '));

  // Wind: an arrow with the force's sign (only for a task with wind); the end label's colour.
  const windy = (force: number) => ({ ...at(10, 8), task: { ...base.task, windPower: 15 }, wind: Float32Array.of(force) }) as AnyScene;
  const [[east], [west], [none]] = [await draw(windy(10), [WIND]), await draw(windy(-10), [WIND]), await draw(at(10, 8), [WIND])];
  const ending = async (outcome: string) => (await draw({ ...at(10, 8), outcome } as AnyScene, [GOOD, DANGER], 0, 'terminated'));
  const [[restGood, restDanger], [crashGood, crashDanger]] = [await ending('at rest'), await ending('crashed')];
  record('LunarLander-v2: the wind arrow points with the wind (none without wind); "at rest" ends in green, "crashed" in red',
    east.n > 30 && west.n > 30 && east.x > west.x + 20 && none.n === 0 && restGood.n > 500 && restDanger.n < 50 && crashDanger.n > 500 && crashGood.n < 50,
    `wind pixels ${east.n} at x ${east.x.toFixed(0)} (+10 N), ${west.n} at x ${west.x.toFixed(0)} (−10 N), ${none.n} without wind; `
    + `end label green/red pixels ${restGood.n}/${restDanger.n} at rest, ${crashGood.n}/${crashDanger.n} crashed`);
  env.dispose();
  record('no console error while drawing', errors.length === 0, errors.join(' | ') || 'none');
}

process.exit(await runChecks('renderers', 60_000, run));
