// Draws episodes of Intersection-v0 as an SVG: both cars' front-bumper positions over time, the
// conflict zone shaded. The same start and the same simple ego rule against a cautious (β = 0.2)
// and an aggressive (β = 1) other driver, side by side.
//
// Run: npm run build && node --import tsx scripts/intersection-svg.ts   (writes docs/intersection-episode.svg)
import { mkdirSync, writeFileSync } from 'node:fs';
import * as dm from 'directed-maml';

const OUT = 'docs/intersection-episode.svg';
const ZONE_EXIT = 4 + 5; // w + L: a car occupies the zone while 0 ≤ p ≤ 9 m
const DT = 0.2;
const START: [number, number, number, number] = [-35, 10, -38, 12]; // p_e, v_e, p_o, v_o
const BETAS = [0.2, 1];

interface Episode { beta: number; time: number[]; ego: number[]; other: number[]; outcome: string; totalReward: number }

/**
 * A simple ego rule (not a learned policy): drive at 12 m/s, but if the other car is predicted to
 * reach the zone first, or less than 0.5 s after the ego, and it is not braking, brake hard.
 */
function egoAction([pe, ve, po, vo]: number[], otherAccel: number): number {
  const arrival = (p: number, v: number) => (p >= 0 ? 0 : Math.min(-p / Math.max(v, 1e-3), 20));
  const te = arrival(pe, ve), to = arrival(po, vo);
  const conflict = pe < 0 && po < ZONE_EXIT && to < te + 0.5 && otherAccel > -1;
  if (conflict) return 0; // −4 m/s²
  return ve < 12 ? 3 : 2; // +2 m/s² up to 12 m/s, then hold
}

function runEpisode(beta: number): Episode {
  const family = dm.taskFamily('Intersection-v0');
  const env = family.makeVecEnv({ numEnvs: 1, seed: 1 });
  env.setTasks(family.task({ aggressiveness: beta }));
  env.reset();
  env.setState(START);
  const ep: Episode = { beta, time: [0], ego: [START[0]], other: [START[2]], outcome: 'truncated', totalReward: 0 };
  let state = [...env.getState()];
  let otherAccel = 0;
  for (let t = 1; t <= family.maxEpisodeSteps; t++) {
    const out = env.step([egoAction(state, otherAccel)]);
    const next = [...env.getState()];
    otherAccel = (next[3] - state[3]) / DT;
    state = next;
    ep.time.push(t * DT);
    ep.ego.push(state[0]);
    ep.other.push(state[2]);
    ep.totalReward += out.reward[0];
    if (out.terminated[0]) { ep.outcome = out.reward[0] > 0 ? 'ego crossed (+10)' : 'collision (−100)'; break; }
    if (out.truncated[0]) break;
  }
  env.dispose();
  return ep;
}

function panel(ep: Episode, x0: number, width: number, height: number, tMax: number): string {
  const m = { left: 58, right: 16, top: 44, bottom: 50 };
  const pMin = -45, pMax = 30;
  const X = (t: number) => x0 + m.left + (t / tMax) * (width - m.left - m.right);
  const Y = (p: number) => m.top + ((pMax - p) / (pMax - pMin)) * (height - m.top - m.bottom);
  const parts: string[] = [];
  // Conflict zone band and the stop line.
  parts.push(`<rect x="${X(0)}" y="${Y(ZONE_EXIT)}" width="${X(tMax) - X(0)}" height="${Y(0) - Y(ZONE_EXIT)}" fill="#f4c7c3" />`);
  parts.push(`<text x="${X(0) + 6}" y="${Y(ZONE_EXIT) + 14}" class="small">conflict zone: 0 ≤ p ≤ w + L = 9 m</text>`);
  // Grid and ticks.
  for (let p = -40; p <= pMax; p += 10) {
    parts.push(`<line x1="${X(0)}" x2="${X(tMax)}" y1="${Y(p)}" y2="${Y(p)}" stroke="#ddd" />`);
    parts.push(`<text x="${X(0) - 6}" y="${Y(p) + 4}" text-anchor="end" class="small">${p}</text>`);
  }
  for (let t = 0; t <= tMax + 1e-9; t += 1) {
    parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${Y(pMin)}" y2="${Y(pMin) + 4}" stroke="#333" />`);
    parts.push(`<text x="${X(t)}" y="${Y(pMin) + 17}" text-anchor="middle" class="small">${t}</text>`);
  }
  parts.push(`<rect x="${X(0)}" y="${Y(pMax)}" width="${X(tMax) - X(0)}" height="${Y(pMin) - Y(pMax)}" fill="none" stroke="#333" />`);
  parts.push(`<text x="${(X(0) + X(tMax)) / 2}" y="${height - 10}" text-anchor="middle">time (s)</text>`);
  const yMid = (Y(pMin) + Y(pMax)) / 2;
  parts.push(`<text x="${x0 + 16}" y="${yMid}" text-anchor="middle" transform="rotate(-90 ${x0 + 16} ${yMid})">front-bumper position p (m; 0 = zone entry)</text>`);
  // Trajectories, clipped to the plot.
  const clipId = `clip${Math.round(x0)}`;
  parts.push(`<clipPath id="${clipId}"><rect x="${X(0)}" y="${Y(pMax)}" width="${X(tMax) - X(0)}" height="${Y(pMin) - Y(pMax)}" /></clipPath>`);
  const path = (ps: number[]) => ps.map((p, k) => `${k ? 'L' : 'M'}${X(ep.time[k]).toFixed(1)},${Y(p).toFixed(1)}`).join(' ');
  parts.push(`<g clip-path="url(#${clipId})">`);
  parts.push(`<path d="${path(ep.other)}" fill="none" stroke="#e66101" stroke-width="2.5" />`);
  parts.push(`<path d="${path(ep.ego)}" fill="none" stroke="#1f5fbf" stroke-width="2.5" />`);
  const last = ep.time.length - 1;
  parts.push(`<circle cx="${X(ep.time[last])}" cy="${Y(ep.ego[last])}" r="4" fill="#1f5fbf" />`);
  parts.push(`<circle cx="${X(ep.time[last])}" cy="${Y(ep.other[last])}" r="4" fill="#e66101" />`);
  parts.push('</g>');
  parts.push(`<text x="${(X(0) + X(tMax)) / 2}" y="18" text-anchor="middle" class="title">other driver β = ${ep.beta}${ep.beta === 1 ? ' (never yields)' : ''}</text>`);
  parts.push(`<text x="${(X(0) + X(tMax)) / 2}" y="35" text-anchor="middle" class="small">${ep.outcome} at ${ep.time[last].toFixed(1)} s, return ${ep.totalReward.toFixed(2)}</text>`);
  return parts.join('\n');
}

async function main(): Promise<void> {
  await dm.init();
  const episodes = BETAS.map(runEpisode);
  const tMax = Math.ceil(Math.max(...episodes.map((e) => e.time[e.time.length - 1])));
  const panelWidth = 470, height = 380, legendHeight = 30;
  const body = episodes.map((ep, k) => panel(ep, k * panelWidth, panelWidth, height, tMax)).join('\n');
  const legendY = height + 14;
  const legend = [
    `<line x1="70" x2="100" y1="${legendY}" y2="${legendY}" stroke="#1f5fbf" stroke-width="2.5" /><text x="106" y="${legendY + 4}">ego (rule: 12 m/s; brake at −4 m/s² while the other would arrive first or &lt; 0.5 s after and is not braking)</text>`,
    `<line x1="70" x2="100" y1="${legendY + 18}" y2="${legendY + 18}" stroke="#e66101" stroke-width="2.5" /><text x="106" y="${legendY + 22}">other car (rule policy: yields when β &lt; 1 and it would arrive second or &lt; 3(1 − β) s ahead of the ego)</text>`,
  ].join('\n');
  const width = panelWidth * episodes.length;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + legendHeight + 20}" viewBox="0 0 ${width} ${height + legendHeight + 20}" font-family="sans-serif" font-size="13">
<style>.small { font-size: 11px; fill: #333 } .title { font-size: 14px; font-weight: bold }</style>
<rect width="100%" height="100%" fill="white" />
${body}
${legend}
</svg>
`;
  mkdirSync('docs', { recursive: true });
  writeFileSync(OUT, svg);
  for (const ep of episodes) console.log(`β = ${ep.beta}: ${ep.outcome} after ${ep.time[ep.time.length - 1].toFixed(1)} s, return ${ep.totalReward.toFixed(2)}`);
  console.log(`wrote ${OUT}`);
}

await main();
