// Draws heuristic episodes of LunarLander-v2 as an SVG: the terrain and the pad of one reset, and
// the lander's path (its body origin) under Gymnasium's heuristic controller for three tasks of the
// default family (gravity −4.5, −8 and −11.5 m/s²) that share the lane's random stream (same
// terrain, push and engine dispersions), with the lander and its legs drawn every 25 steps of the
// medium task.
//
// Run: npm run build && node --import tsx scripts/lunar-svg.ts   (writes docs/lunar-episode.svg)
import { mkdirSync, writeFileSync } from 'node:fs';
import * as dm from 'directed-maml';
import { heuristic } from '../test/envs/lunar/planck-lander'; // Gymnasium's heuristic() (discrete), as bench/lunar uses it

const OUT = 'docs/lunar-episode.svg';
const SEED = 14;
const GRAVITIES = [-4.5, -8, -11.5];
const COLORS = ['#1b9e77', '#1f5fbf', '#d95f02'];
const W = 20, H = 400 / 30; // the world, metres
const SCALE = 30;
// Gymnasium's LANDER_POLY (pixels) and leg half-extents, for the drawing only.
const LANDER_POLY = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]];
const LEG_HALF = [2 / SCALE, 8 / SCALE];

interface Episode { gravity: number; frames: dm.LunarLanderState[]; ret: number; outcome: string }

function runEpisode(gravity: number): Episode {
  const family = dm.taskFamily('LunarLander-v2');
  const env = family.makeVecEnv({ numEnvs: 1, seed: SEED });
  env.setTasks(family.task({ gravity }));
  let obs = env.reset().slice();
  const frames = [dm.decodeLunarState(env.getState())];
  let ret = 0, outcome = 'truncated at 1000 steps';
  for (let t = 0; t < family.maxEpisodeSteps; t++) {
    const out = env.step(Int32Array.of(heuristic(obs)));
    obs = out.obs.slice();
    const state = dm.decodeLunarState(env.getState());
    frames.push(state);
    ret += out.reward[0];
    if (out.terminated[0]) { outcome = !state.awake ? 'at rest (+100)' : state.gameOver ? 'crashed (−100)' : 'flew off (−100)'; break; }
  }
  env.dispose();
  return { gravity, frames, ret, outcome };
}

async function main(): Promise<void> {
  await dm.init();
  const episodes = GRAVITIES.map(runEpisode);
  const width = 900, height = 640, m = { left: 50, right: 20, top: 40, bottom: 110 };
  const X = (x: number) => m.left + (x / W) * (width - m.left - m.right);
  const Y = (y: number) => m.top + ((H - y) / H) * (height - m.top - m.bottom);
  const k = (width - m.left - m.right) / W; // pixels per metre in the figure
  const parts: string[] = [];
  const terrain = episodes[0].frames[0].terrainY;
  const xs = terrain.map((_, i) => i * (W / (terrain.length - 1)));
  parts.push(`<rect x="${X(0)}" y="${Y(H)}" width="${X(W) - X(0)}" height="${Y(0) - Y(H)}" fill="#f7f7fb" stroke="#333" />`);
  parts.push(`<path d="M${X(0)},${Y(0)} ${xs.map((x, i) => `L${X(x).toFixed(1)},${Y(terrain[i]).toFixed(1)}`).join(' ')} L${X(W)},${Y(0)} Z" fill="#bbb" stroke="#666" />`);
  // The pad: flags at chunk_x[4] and chunk_x[6].
  for (const fx of [xs[4], xs[6]]) {
    const y = terrain[5];
    parts.push(`<line x1="${X(fx)}" x2="${X(fx)}" y1="${Y(y)}" y2="${Y(y + 50 / SCALE)}" stroke="#333" stroke-width="1.5" />`);
    parts.push(`<path d="M${X(fx)},${Y(y + 50 / SCALE)} l0,${(10 / SCALE) * k} l${(25 / SCALE) * k},${(-5 / SCALE) * k} Z" fill="#e6c229" />`);
  }
  for (let x = 0; x <= W; x += 2) parts.push(`<text x="${X(x)}" y="${Y(0) + 16}" text-anchor="middle" class="small">${x}</text>`);
  for (let y = 0; y <= 12; y += 2) parts.push(`<text x="${X(0) - 6}" y="${Y(y) + 4}" text-anchor="end" class="small">${y}</text>`);
  parts.push(`<text x="${(X(0) + X(W)) / 2}" y="${Y(0) + 34}" text-anchor="middle">x (m)</text>`);
  parts.push(`<text x="16" y="${(Y(0) + Y(H)) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(Y(0) + Y(H)) / 2})">y (m)</text>`);

  const poly = (points: number[][], fill: string, stroke: string) =>
    `<path d="${points.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')} Z" fill="${fill}" stroke="${stroke}" stroke-width="1" />`;
  const rotate = (x: number, y: number, a: number, ox: number, oy: number) => [ox + Math.cos(a) * x - Math.sin(a) * y, oy + Math.sin(a) * x + Math.cos(a) * y];
  const drawLander = (s: dm.LunarLanderState, color: string, opacity: number) => {
    const out: string[] = [`<g opacity="${opacity}">`];
    for (const leg of s.legs) {
      const [hx, hy] = LEG_HALF;
      out.push(poly([[-hx, -hy], [hx, -hy], [hx, hy], [-hx, hy]].map(([x, y]) => rotate(x, y, leg.angle, leg.x, leg.y)), color, '#222'));
    }
    out.push(poly(LANDER_POLY.map(([x, y]) => rotate(x / SCALE, y / SCALE, s.lander.angle, s.lander.x, s.lander.y)), '#fff', color));
    out.push('</g>');
    return out.join('');
  };
  episodes.forEach((ep, e) => {
    const path = ep.frames.map((f, i) => `${i ? 'L' : 'M'}${X(f.lander.x).toFixed(1)},${Y(f.lander.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${COLORS[e]}" stroke-width="2" />`);
    if (ep.gravity === -8) ep.frames.forEach((f, i) => { if (i % 25 === 0) parts.push(drawLander(f, COLORS[e], 0.55)); });
    parts.push(drawLander(ep.frames[ep.frames.length - 1], COLORS[e], 1));
    const legendY = height - 58 + e * 18;
    parts.push(`<line x1="${m.left + 10}" x2="${m.left + 40}" y1="${legendY}" y2="${legendY}" stroke="${COLORS[e]}" stroke-width="2.5" />`);
    parts.push(`<text x="${m.left + 48}" y="${legendY + 4}">gravity ${ep.gravity} m/s²: ${ep.outcome} after ${ep.frames.length - 1} steps, return ${ep.ret.toFixed(1)}</text>`);
  });
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" class="title">LunarLander-v2 under Gymnasium's heuristic: three gravities, one terrain and push (seed ${SEED}, lane 0)</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">
<style>.small { font-size: 11px; fill: #333 } .title { font-size: 15px; font-weight: bold }</style>
<rect width="100%" height="100%" fill="white" />
${parts.join('\n')}
</svg>
`;
  mkdirSync('docs', { recursive: true });
  writeFileSync(OUT, svg);
  for (const ep of episodes) console.log(`gravity ${ep.gravity}: ${ep.outcome} after ${ep.frames.length - 1} steps, return ${ep.ret.toFixed(1)}`);
  console.log(`wrote ${OUT}`);
}

await main();
