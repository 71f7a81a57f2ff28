// A learning curve: pre- and post-adaptation return per meta-iteration, as a standalone SVG
// document (no script, no external font or stylesheet). Node writes it to a run's curve.svg; the
// page puts the same markup in its #curve box while it trains (with the x axis spanning the
// planned iterations, a message while there is no point yet, and each point tagged for hovering).
import type { IterationMetrics } from '../train/types';
import { niceTicks, formatTick } from './ticks';
import { escapeXml, runsWhere } from './svg';

export interface CurveOptions {
  /** e.g. 'CartPole-v1 · directed-maml · seed 1'. */
  title: string;
  width?: number;
  height?: number;
  /** Iterations the x axis covers even before they are run (the page: 1 to the planned count). */
  xRange?: readonly [number, number];
  /** Shown in the middle while there is no point ('no iterations yet' when absent). */
  emptyText?: string;
  /** Each point gets class "pre point" or "post point" and a tooltip with its value (the page). */
  tagPoints?: boolean;
}

const PRE_COLOR = '#4c78a8';
const POST_COLOR = '#e45756';
const MARGIN = { left: 68, right: 24, top: 56, bottom: 52 };

/** The learning curve of a run as an SVG document. */
export function curveSvg(metrics: readonly IterationMetrics[], options: CurveOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const xs = [...metrics.map((m) => m.iteration), ...(options.xRange ?? []).filter(Number.isFinite)];
  const values = metrics.flatMap((m) => [m.preReturn, m.postReturn]).filter(Number.isFinite);
  let [xLo, xHi] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (xLo === xHi) [xLo, xHi] = [Math.max(0, xLo - 1), xLo + 1];
  const xTicks = niceTicks(xLo, xHi, Math.min(8, xHi - xLo), true);
  // 3% of room above and below so the extreme points do not sit on the frame.
  const [vLo, vHi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const room = values.length ? 0.03 * (vHi - vLo) : 0;
  const yTicks = niceTicks(vLo - room, vHi + room, 5);
  const [x0, x1] = [xTicks.ticks[0], xTicks.ticks[xTicks.ticks.length - 1]];
  const [y0, y1] = [yTicks.ticks[0], yTicks.ticks[yTicks.ticks.length - 1]];
  const inset = 10; // px between the frame and the first/last iteration, so no point sits on it
  const px = (x: number): number => MARGIN.left + inset + ((x - x0) / (x1 - x0)) * (plotW - 2 * inset);
  const py = (y: number): number => MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const f = (v: number): string => v.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${MARGIN.left}" y="24" font-size="15" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>`);

  // Grid and ticks.
  for (const t of yTicks.ticks) {
    const y = f(py(t));
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${formatTick(t, yTicks.step)}</text>`);
  }
  for (const t of xTicks.ticks) {
    const x = f(px(t));
    out.push(`<line x1="${x}" y1="${MARGIN.top + plotH}" x2="${x}" y2="${MARGIN.top + plotH + 5}" stroke="#444"/>`);
    out.push(`<text x="${x}" y="${MARGIN.top + plotH + 19}" text-anchor="middle" fill="#444">${formatTick(t, xTicks.step)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 12}" text-anchor="middle" fill="#222">meta-iteration</text>`);
  out.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#222">mean episode return</text>`);

  // The two series; dots as well when there are few enough points to see them.
  const series: Array<[string, string, (m: IterationMetrics) => number, string, string]> = [
    ['before adaptation (θ)', PRE_COLOR, (m) => m.preReturn, ' stroke-dasharray="6 4"', 'pre'],
    ['after adaptation (θ′)', POST_COLOR, (m) => m.postReturn, '', 'post'],
  ];
  for (const [, color, value, dash, tag] of series) {
    const ys = metrics.map(value);
    for (const [a, b] of runsWhere(ys.length, (i) => Number.isFinite(ys[i]))) {
      const points = metrics.slice(a, b + 1).map((m, i) => `${f(px(m.iteration))},${f(py(ys[a + i]))}`);
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} stroke-linejoin="round" points="${points.join(' ')}"/>`);
    }
    if (metrics.length <= 60) {
      metrics.forEach((m, i) => {
        if (!Number.isFinite(ys[i])) return;
        const at = `cx="${f(px(m.iteration))}" cy="${f(py(ys[i]))}" r="2.5" fill="${color}"`;
        out.push(options.tagPoints
          ? `<circle class="${tag} point" ${at}><title>iteration ${m.iteration}: ${ys[i].toFixed(2)}</title></circle>`
          : `<circle ${at}/>`);
      });
    }
  }
  if (metrics.length === 0) {
    out.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH / 2}" text-anchor="middle" fill="#888">${escapeXml(options.emptyText ?? 'no iterations yet')}</text>`);
  }

  // Legend in the top margin, right-aligned.
  let lx = width - MARGIN.right - 360;
  for (const [label, color, , dash] of series) {
    out.push(`<line x1="${lx}" y1="42" x2="${lx + 26}" y2="42" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 32}" y="42" dominant-baseline="middle" fill="#222">${escapeXml(label)}</text>`);
    lx += 180;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
