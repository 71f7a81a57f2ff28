// curve.svg: pre- and post-adaptation return per meta-iteration, as a standalone SVG (no script,
// no external font or stylesheet), readable in a browser, an image viewer or a README.
import type { IterationMetrics } from '../train/types';

export interface CurveOptions {
  /** e.g. 'CartPole-v1 · directed-maml · seed 1'. */
  title: string;
  width?: number;
  height?: number;
}

const PRE_COLOR = '#4c78a8';
const POST_COLOR = '#e45756';
const MARGIN = { left: 68, right: 24, top: 56, bottom: 52 };

const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** 1, 2 or 5 times a power of ten, the nearest to x (x > 0). */
function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const f = x / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/** Axis ticks covering [lo, hi] with about `count` intervals; the domain is widened to the outer ticks. */
export function niceTicks(lo: number, hi: number, count: number, integer = false): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = Math.max(1, Math.abs(lo) * 0.1);
    lo -= pad;
    hi += pad;
  }
  let step = niceStep((hi - lo) / count);
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; first + k * step <= last + step * 1e-9; k++) ticks.push(first + k * step);
  return { ticks, step };
}

function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const text = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** Polyline segments through the finite points (a NaN breaks the line). */
function segments(points: Array<[number, number]>): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  for (const p of points) {
    if (Number.isFinite(p[1])) current.push(p);
    else if (current.length) { out.push(current); current = []; }
  }
  if (current.length) out.push(current);
  return out;
}

/** The learning curve of a run as an SVG document. */
export function curveSvg(metrics: readonly IterationMetrics[], options: CurveOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const xs = metrics.map((m) => m.iteration);
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
  const series: Array<[string, string, (m: IterationMetrics) => number, string]> = [
    ['before adaptation (θ)', PRE_COLOR, (m) => m.preReturn, ' stroke-dasharray="6 4"'],
    ['after adaptation (θ′)', POST_COLOR, (m) => m.postReturn, ''],
  ];
  for (const [, color, value, dash] of series) {
    const pts = metrics.map((m): [number, number] => [m.iteration, value(m)]);
    for (const seg of segments(pts)) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} stroke-linejoin="round" points="${seg.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(' ')}"/>`);
    }
    if (pts.length <= 60) {
      for (const [x, y] of pts) if (Number.isFinite(y)) out.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="2.5" fill="${color}"/>`);
    }
  }
  if (metrics.length === 0) {
    out.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH / 2}" text-anchor="middle" fill="#888">no iterations yet</text>`);
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
