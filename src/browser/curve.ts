// The demo's training curve: mean return before and after adaptation per meta-iteration, as SVG.
import type { IterationMetrics } from '../index';


const WIDTH = 800;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 20, top: 44, bottom: 52 };
const PLOT_INSET = 8; // keeps the first and last points off the axes

/** 1, 2 or 5 times a power of ten, giving about `ticks` intervals over `span`. */
function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** Draws the pre/post-adaptation returns of `ms` into `curve`; the x axis spans `planned` iterations. */
export function drawCurve(curve: SVGSVGElement, ms: readonly IterationMetrics[], planned: number, emptyMessage: string): void {
  const iterations = Math.max(Number.isFinite(planned) ? planned : 1, ms.length, 2);
  const values = ms.flatMap((m) => [m.preReturn, m.postReturn]);
  let lo = Math.min(0, ...values);
  let hi = values.length ? Math.max(...values) : 10;
  if (hi - lo < 1e-9) hi = lo + 1;
  const yStep = niceStep(hi - lo, 5);
  lo = Math.floor(lo / yStep) * yStep;
  hi = Math.ceil(hi / yStep) * yStep;

  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  const y0 = HEIGHT - MARGIN.bottom;
  const y1 = MARGIN.top;
  const sx = (i: number): number => x0 + PLOT_INSET + ((i - 1) / (iterations - 1)) * (x1 - x0 - 2 * PLOT_INSET);
  const sy = (v: number): number => y0 - ((v - lo) / (hi - lo)) * (y0 - y1);
  const f = (v: number): string => v.toFixed(1);

  const parts: string[] = [];
  const yDecimals = Math.max(0, -Math.floor(Math.log10(yStep)));
  for (let v = lo; v <= hi + yStep / 2; v += yStep) {
    parts.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${f(sy(v))}" y2="${f(sy(v))}"/>`,
      `<text x="${x0 - 8}" y="${f(sy(v) + 4)}" text-anchor="end">${v.toFixed(yDecimals)}</text>`);
  }
  const xStep = Math.max(1, Math.round(niceStep(iterations - 1, 10)));
  for (let i = 1; i <= iterations; i += i === 1 && xStep > 1 ? xStep - 1 : xStep) {
    parts.push(`<line class="axis" x1="${f(sx(i))}" x2="${f(sx(i))}" y1="${y0}" y2="${y0 + 5}"/>`,
      `<text x="${f(sx(i))}" y="${y0 + 19}" text-anchor="middle">${i}</text>`);
  }
  parts.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/>`,
    `<line class="axis" x1="${x0}" x2="${x0}" y1="${y1}" y2="${y0}"/>`,
    `<text class="axis-label" x="${(x0 + x1) / 2}" y="${HEIGHT - 10}" text-anchor="middle">meta-iteration</text>`,
    `<text class="axis-label" transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">mean episode return</text>`);

  const series: { key: 'preReturn' | 'postReturn'; cls: string; label: string }[] = [
    { key: 'preReturn', cls: 'pre', label: 'pre-adaptation return (θ)' },
    { key: 'postReturn', cls: 'post', label: 'post-adaptation return (θ′ per task)' },
  ];
  let legendX = x0;
  for (const s of series) {
    const points = ms.map((m) => `${f(sx(m.iteration))},${f(sy(m[s.key]))}`);
    if (points.length > 1) parts.push(`<polyline class="${s.cls}" points="${points.join(' ')}"/>`);
    for (const m of ms) {
      parts.push(`<circle class="${s.cls} point" cx="${f(sx(m.iteration))}" cy="${f(sy(m[s.key]))}" r="3.5"><title>iteration ${m.iteration}: ${m[s.key].toFixed(2)}</title></circle>`);
    }
    parts.push(`<line class="${s.cls}" x1="${legendX}" x2="${legendX + 24}" y1="18" y2="18" stroke-width="2"/>`,
      `<circle class="${s.cls}" cx="${legendX + 12}" cy="18" r="3.5"/>`,
      `<text x="${legendX + 32}" y="22" class="axis-label">${s.label}</text>`);
    legendX += 40 + s.label.length * 7.2;
  }
  if (ms.length === 0) {
    parts.push(`<text class="empty" x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle">${emptyMessage}</text>`);
  }
  curve.innerHTML = parts.join('');
}
