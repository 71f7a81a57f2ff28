// Several runs per series (seeds): the mean as a line and the min–max as a translucent band, in
// panels side by side that share the y axis (so the panels compare by eye). Standalone SVG.
import { ConfigError } from '../errors';
import { niceTicks, logTicks, formatTick } from './ticks';
import { escapeXml, runsWhere } from './svg';

/** One run's curve: x strictly increasing (iterations, cumulative seconds, …). */
export interface Run { x: readonly number[]; y: readonly number[] }

/** Mean and min–max of several runs at common x. */
export interface RunSummary { x: number[]; y: number[]; lo: number[]; hi: number[] }

/** y of the piecewise-linear curve through (xs, ys) at x, for x in [xs[0], xs[xs.length - 1]]. */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  let a = 0, b = xs.length - 1;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (xs[mid] <= x) a = mid; else b = mid;
  }
  if (x === xs[a] || a === b) return ys[a];
  if (x === xs[b]) return ys[b];
  return ys[a] + ((x - xs[a]) / (xs[b] - xs[a])) * (ys[b] - ys[a]);
}

/**
 * Mean, min and max over runs. The common x are every run's x inside the range all runs cover
 * ([largest first x, smallest last x]); each run is linearly interpolated there, so runs that
 * share their x (iterations) are summarised exactly at them, and runs on their own x (seconds)
 * are compared on a common grid without inventing values beyond any run's end.
 */
export function acrossRuns(runs: readonly Run[]): RunSummary {
  if (runs.length === 0) throw new ConfigError('runs.length', 0, 'at least one run');
  runs.forEach((run, i) => {
    if (run.x.length === 0 || run.x.length !== run.y.length) throw new ConfigError(`runs[${i}].x.length`, run.x.length, `> 0 and equal to runs[${i}].y.length (${run.y.length})`);
    for (let k = 0; k < run.x.length; k++) {
      if (!Number.isFinite(run.x[k]) || (k > 0 && !(run.x[k] > run.x[k - 1]))) throw new ConfigError(`runs[${i}].x[${k}]`, run.x[k], 'finite and strictly increasing');
    }
  });
  const start = Math.max(...runs.map((r) => r.x[0]));
  const end = Math.min(...runs.map((r) => r.x[r.x.length - 1]));
  const x = [...new Set(runs.flatMap((r) => r.x.filter((v) => v >= start && v <= end)))].sort((p, q) => p - q);
  const out: RunSummary = { x, y: [], lo: [], hi: [] };
  for (const at of x) {
    const values = runs.map((r) => interpolate(r.x, r.y, at));
    out.y.push(values.reduce((s, v) => s + v, 0) / values.length);
    out.lo.push(Math.min(...values));
    out.hi.push(Math.max(...values));
  }
  return out;
}

/** One series of a band panel: a line through (x, y) and, when lo and hi are given, a band between them. */
export interface BandSeries {
  label: string;
  color: string;
  /** stroke-dasharray of the line, e.g. '7 4'; solid when absent. */
  dash?: string;
  /** Line width in px (2 when absent): a wider line drawn first stays visible around a narrower one that coincides with it. */
  lineWidth?: number;
  x: readonly number[];
  y: readonly number[];
  lo?: readonly number[];
  hi?: readonly number[];
}

export interface BandPanel {
  xLabel: string;
  yLabel: string;
  series: readonly BandSeries[];
  /** Horizontal reference lines (a threshold), dashed grey and labelled at their right end. */
  rules?: ReadonlyArray<{ y: number; label: string }>;
  /** 'log' for quantities spanning decades (seconds of fast and slow algorithms). */
  xScale?: 'linear' | 'log';
  /** Integer x ticks (iterations). */
  integerX?: boolean;
  /** A remark in the top-left corner of the plot area (e.g. which lines coincide). */
  note?: string;
}

export interface BandPlotOptions {
  title: string;
  /** A second line under the title (what the line and band mean, the machine). */
  subtitle?: string;
  panelWidth?: number;
  height?: number;
}

const BAND_MARGIN = { left: 64, right: 18, top: 92, bottom: 52 };
const BAND_OPACITY = 0.16;
const LEGEND_ROW = 18;

/**
 * Panels side by side, each with a band (lo–hi) and a line (y) per series, a shared y axis,
 * reference rules and one legend (a label used in several panels is listed once).
 */
export function bandPanelsSvg(panels: readonly BandPanel[], options: BandPlotOptions): string {
  const panelWidth = options.panelWidth ?? 560;
  const width = panelWidth * panels.length;
  // The legend: one entry per label, in rows that wrap at the figure's width; every row past the
  // first adds LEGEND_ROW px above the panels (their plot height stays as asked).
  const legend: Array<{ s: BandSeries; x: number; row: number }> = [];
  const seen = new Set<string>();
  let lx = BAND_MARGIN.left;
  let row = 0;
  for (const s of panels.flatMap((p) => p.series)) {
    if (seen.has(s.label)) continue;
    seen.add(s.label);
    const w = 36 + 6.5 * s.label.length + 26; // ~6.5 px per character of Helvetica at 12 px
    if (lx > BAND_MARGIN.left && lx + w - 26 > width - BAND_MARGIN.right) { lx = BAND_MARGIN.left; row++; }
    legend.push({ s, x: lx, row });
    lx += w;
  }
  const top = BAND_MARGIN.top + LEGEND_ROW * row;
  const height = (options.height ?? 460) + LEGEND_ROW * row;
  const plotW = panelWidth - BAND_MARGIN.left - BAND_MARGIN.right;
  const plotH = height - top - BAND_MARGIN.bottom;
  const f = (v: number): string => v.toFixed(1);

  // Shared y: every finite line, band and rule value, with 3% room so no extreme sits on the frame.
  const values = panels.flatMap((p) => [
    ...p.series.flatMap((s) => [...s.y, ...(s.lo ?? []), ...(s.hi ?? [])]),
    ...(p.rules ?? []).map((r) => r.y),
  ]).filter(Number.isFinite);
  const [vLo, vHi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const room = 0.03 * (vHi - vLo);
  const yTicks = niceTicks(vLo - room, vHi + room, 6);
  const [y0, y1] = [yTicks.ticks[0], yTicks.ticks[yTicks.ticks.length - 1]];
  const py = (y: number): number => top + plotH - ((y - y0) / (y1 - y0)) * plotH;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${BAND_MARGIN.left}" y="24" font-size="15" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>`);
  if (options.subtitle) out.push(`<text x="${BAND_MARGIN.left}" y="44" fill="#555">${escapeXml(options.subtitle)}</text>`);

  panels.forEach((panel, index) => {
    const left = index * panelWidth + BAND_MARGIN.left;
    const log = panel.xScale === 'log';
    const xs = panel.series.flatMap((s) => s.x).filter((v) => Number.isFinite(v) && (!log || v > 0));
    let [xLo, xHi] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [log ? 1 : 0, log ? 10 : 1];
    let ticks: number[], label: (v: number) => string;
    if (log) {
      ticks = logTicks(xLo, xHi);
      label = (v) => formatTick(v, v);
    } else {
      if (xLo === xHi) [xLo, xHi] = [xLo - 1, xLo + 1];
      const t = niceTicks(xLo, xHi, panel.integerX ? Math.min(8, xHi - xLo) : 8, panel.integerX);
      ticks = t.ticks;
      label = (v) => formatTick(v, t.step);
    }
    const [x0, x1] = [ticks[0], ticks[ticks.length - 1]];
    const inset = 8; // px between the frame and the outer ticks, so no point sits on the frame
    const unit = (x: number): number => (log ? Math.log(x / x0) / Math.log(x1 / x0) : (x - x0) / (x1 - x0));
    const px = (x: number): number => left + inset + unit(x) * (plotW - 2 * inset);
    const drawable = (s: BandSeries, i: number): boolean => Number.isFinite(s.x[i]) && (!log || s.x[i] > 0);

    out.push(`<g class="panel">`);
    for (const t of yTicks.ticks) {
      const y = f(py(t));
      out.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#e6e6e6"/>`);
      out.push(`<text x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${formatTick(t, yTicks.step)}</text>`);
    }
    for (const t of ticks) {
      const x = f(px(t));
      out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#f0f0f0"/>`);
      out.push(`<line x1="${x}" y1="${top + plotH}" x2="${x}" y2="${top + plotH + 5}" stroke="#444"/>`);
      out.push(`<text x="${x}" y="${top + plotH + 19}" text-anchor="middle" fill="#444">${label(t)}</text>`);
    }
    out.push(`<text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle" fill="#222">${escapeXml(panel.xLabel)}</text>`);
    out.push(`<text transform="translate(${left - 46} ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(panel.yLabel)}</text>`);

    // Bands first, so every line stays visible above every band.
    for (const s of panel.series) {
      const { lo, hi } = s;
      if (!lo || !hi) continue;
      for (const [a, b] of runsWhere(s.x.length, (i) => drawable(s, i) && Number.isFinite(lo[i]) && Number.isFinite(hi[i]))) {
        const upper: string[] = [], lower: string[] = [];
        for (let i = a; i <= b; i++) upper.push(`${f(px(s.x[i]))},${f(py(hi[i]))}`);
        for (let i = b; i >= a; i--) lower.push(`${f(px(s.x[i]))},${f(py(lo[i]))}`);
        out.push(`<polygon fill="${s.color}" fill-opacity="${BAND_OPACITY}" stroke="none" points="${[...upper, ...lower].join(' ')}"/>`);
      }
    }
    for (const s of panel.series) {
      const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
      for (const [a, b] of runsWhere(s.x.length, (i) => drawable(s, i) && Number.isFinite(s.y[i]))) {
        const pts: string[] = [];
        for (let i = a; i <= b; i++) pts.push(`${f(px(s.x[i]))},${f(py(s.y[i]))}`);
        out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="${s.lineWidth ?? 2}"${dash} stroke-linejoin="round" points="${pts.join(' ')}"/>`);
      }
    }
    for (const rule of panel.rules ?? []) {
      const y = f(py(rule.y));
      out.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#555" stroke-width="1.2" stroke-dasharray="5 4"/>`);
      out.push(`<text x="${left + 6}" y="${f(py(rule.y) - 6)}" fill="#555">${escapeXml(rule.label)}</text>`);
    }
    if (panel.note) out.push(`<text x="${left + 8}" y="${top + 18}" fill="#555">${escapeXml(panel.note)}</text>`);
    if (xs.length === 0) out.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" fill="#888">no data</text>`);
    out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
    out.push('</g>');
  });

  // The legend across the top: a band swatch with its line over it, as drawn in the panels.
  for (const { s, x, row: r } of legend) {
    const y = 68 + LEGEND_ROW * r;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    if (s.lo && s.hi) out.push(`<rect x="${x}" y="${y - 6}" width="30" height="12" fill="${s.color}" fill-opacity="${BAND_OPACITY}"/>`);
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 30}" y2="${y}" stroke="${s.color}" stroke-width="${s.lineWidth ?? 2}"${dash}/>`);
    out.push(`<text x="${x + 36}" y="${y}" dominant-baseline="middle" fill="#222">${escapeXml(s.label)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
