// curve.svg: well-formed, both series drawn through the right points (checked by inverting the
// axis mapping from the tick labels), legend, axis labels and title present, text escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// Node-only helpers are not in the package's '.' export: imported from source (they hold no
// WASM state, and tfjs resolves to the same instance as the built package's).
import * as node from '../../src/node/plot';

const metric = (iteration: number, preReturn: number, postReturn: number) =>
  ({ iteration, preReturn, postReturn, sampleSeconds: 0, gradSeconds: 0, seconds: 0, envSteps: 0 });

/** Tick value → pixel from the first and last labelled tick of an axis. */
function axisFromTicks(svg: string, axis: 'x' | 'y'): (v: number) => number {
  const re = axis === 'y'
    ? /<text x="[\d.]+" y="([\d.]+)" text-anchor="end" dominant-baseline="middle" fill="#444">(-?[\d.]+)<\/text>/g
    : /<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" fill="#444">(-?[\d.]+)<\/text>/g;
  const ticks = [...svg.matchAll(re)].map((m) => [Number(m[2]), Number(m[1])]);
  assert.ok(ticks.length >= 2, `${axis} ticks`);
  const [[v0, p0], [v1, p1]] = [ticks[0], ticks[ticks.length - 1]];
  return (v) => p0 + ((v - v0) / (v1 - v0)) * (p1 - p0);
}

function polylines(svg: string, color: string): Array<Array<[number, number]>> {
  return [...svg.matchAll(new RegExp(`<polyline fill="none" stroke="${color}"[^>]* points="([^"]+)"/>`, 'g'))]
    .map((m) => m[1].split(' ').map((p) => p.split(',').map(Number) as [number, number]));
}

test('the two series pass through their points; ticks cover the data; well-formed', () => {
  const ms = Array.from({ length: 12 }, (_, i) => metric(i + 1, 20 + 3 * i, 25 + 7 * i + (i % 3)));
  const svg = node.curveSvg(ms, { title: 'CartPole-v1 · directed-maml · seed 1' });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  // Balanced tags: every element is self-closed or closed.
  const opened = (svg.match(/<(text|svg)\b/g) ?? []).length;
  const closed = (svg.match(/<\/(text|svg)>/g) ?? []).length;
  assert.equal(opened, closed);
  assert.ok(svg.includes('CartPole-v1 · directed-maml · seed 1'));
  assert.ok(svg.includes('meta-iteration') && svg.includes('mean episode return'));
  assert.ok(svg.includes('before adaptation') && svg.includes('after adaptation'));
  const px = axisFromTicks(svg, 'x'), py = axisFromTicks(svg, 'y');
  const [pre] = polylines(svg, '#4c78a8');
  const [post] = polylines(svg, '#e45756');
  assert.equal(pre.length, ms.length);
  assert.equal(post.length, ms.length);
  ms.forEach((m, i) => {
    assert.ok(Math.abs(pre[i][0] - px(m.iteration)) < 0.11 && Math.abs(pre[i][1] - py(m.preReturn)) < 0.11, `pre point ${i}`);
    assert.ok(Math.abs(post[i][0] - px(m.iteration)) < 0.11 && Math.abs(post[i][1] - py(m.postReturn)) < 0.11, `post point ${i}`);
  });
  // Higher return is drawn higher (smaller y).
  assert.ok(post[11][1] < post[0][1]);
});

test('NaN breaks a line; one point, no point and markup in the title still render', () => {
  const ms = [metric(1, 10, 11), metric(2, 12, NaN), metric(3, 13, 15), metric(4, 14, 16)];
  const svg = node.curveSvg(ms, { title: 'a < b & "c"' });
  assert.equal(polylines(svg, '#e45756').length, 2);
  assert.equal(polylines(svg, '#4c78a8').length, 1);
  assert.ok(svg.includes('a &lt; b &amp; &quot;c&quot;'));
  assert.ok(!svg.includes('NaN'));
  const one = node.curveSvg([metric(1, 10, 20)], { title: 't' });
  assert.equal((one.match(/<circle /g) ?? []).length, 2);
  assert.ok(!one.includes('NaN') && !one.includes('Infinity'));
  const none = node.curveSvg([], { title: 't' });
  assert.ok(none.includes('no iterations yet') && !none.includes('NaN'));
});

test('niceTicks: steps of 1, 2 or 5 × 10^k covering the range', () => {
  for (const [lo, hi] of [[0, 1], [9.3, 487.2], [-3, 7], [0.001, 0.0042], [100, 100], [1, 501]]) {
    const { ticks, step } = node.niceTicks(lo, hi, 5);
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `step ${step}`);
    assert.ok(ticks[0] <= lo && ticks[ticks.length - 1] >= hi, `[${lo}, ${hi}] in ${ticks}`);
    assert.ok(ticks.length >= 3 && ticks.length <= 12, `${ticks.length} ticks for [${lo}, ${hi}]`);
  }
  assert.ok(node.niceTicks(1, 3, 8, true).ticks.every(Number.isInteger));
});

// ---- acrossRuns, logTicks, bandPanelsSvg: several seeds as a mean line and a min–max band.

/** Linear interpolation by a scan for the bracketing pair, written apart from plot.ts's search. */
function lerpAt(xs: number[], ys: number[], x: number): number {
  for (let k = 0; k < xs.length; k++) {
    if (xs[k] === x) return ys[k];
    if (xs[k] < x && x < xs[k + 1]) {
      const t = (x - xs[k]) / (xs[k + 1] - xs[k]);
      return (1 - t) * ys[k] + t * ys[k + 1];
    }
  }
  throw new Error(`${x} outside [${xs[0]}, ${xs[xs.length - 1]}]`);
}

test('acrossRuns: runs sharing x are summarised at exactly those x', () => {
  const x = [1, 2, 3, 4, 5, 6];
  const runs = [0, 1, 2].map((seed) => ({ x, y: x.map((i) => 20 + 9 * i + ((seed * 7 + i * 3) % 5) - 2 * seed) }));
  const s = node.acrossRuns(runs);
  assert.deepEqual(s.x, x);
  x.forEach((_, k) => {
    const column = runs.map((r) => r.y[k]);
    assert.ok(Math.abs(s.y[k] - (column[0] + column[1] + column[2]) / 3) < 1e-12, `mean ${k}`);
    assert.equal(s.lo[k], column.reduce((a, b) => (b < a ? b : a)));
    assert.equal(s.hi[k], column.reduce((a, b) => (b > a ? b : a)));
    assert.ok(s.lo[k] <= s.y[k] && s.y[k] <= s.hi[k]);
  });
});

test('acrossRuns: runs on their own x are interpolated onto the union of x they all cover', () => {
  // Cumulative seconds of three seeds with different per-iteration times.
  const cumulative = (dt: (i: number) => number, n: number) => {
    const out: number[] = [];
    let t = 0;
    for (let i = 0; i < n; i++) out.push((t += dt(i)));
    return out;
  };
  const runs = [
    { x: cumulative((i) => 0.5 + 0.05 * i, 12), y: Array.from({ length: 12 }, (_, i) => 10 + i * i) },
    { x: cumulative((i) => 0.7 + 0.01 * (i % 3), 10), y: Array.from({ length: 10 }, (_, i) => 15 + 6 * i) },
    { x: cumulative(() => 0.6, 11), y: Array.from({ length: 11 }, (_, i) => 12 + 8 * Math.sqrt(i)) },
  ];
  const start = Math.max(...runs.map((r) => r.x[0]));
  const end = Math.min(...runs.map((r) => r.x[r.x.length - 1]));
  const expectedX = runs.flatMap((r) => r.x).filter((v) => v >= start && v <= end).sort((a, b) => a - b)
    .filter((v, k, all) => k === 0 || v !== all[k - 1]);
  const s = node.acrossRuns(runs);
  assert.deepEqual(s.x, expectedX);
  assert.equal(s.x[0], start);
  assert.equal(s.x[s.x.length - 1], end);
  s.x.forEach((x, k) => {
    const values = runs.map((r) => lerpAt(r.x, r.y, x));
    assert.ok(Math.abs(s.y[k] - values.reduce((a, b) => a + b) / 3) < 1e-9, `mean at ${x}`);
    assert.ok(Math.abs(s.lo[k] - Math.min(...values)) < 1e-9 && Math.abs(s.hi[k] - Math.max(...values)) < 1e-9, `band at ${x}`);
  });
  // A single run is its own summary.
  const one = node.acrossRuns([runs[0]]);
  assert.deepEqual(one.x, runs[0].x);
  assert.deepEqual(one.y, runs[0].y);
  assert.deepEqual(one.lo, runs[0].y);
});

test('acrossRuns: bad runs throw a ConfigError naming the field', () => {
  assert.throws(() => node.acrossRuns([]), /runs\.length/);
  assert.throws(() => node.acrossRuns([{ x: [1, 2, 2], y: [1, 2, 3] }]), /runs\[0\]\.x\[2\]: got 2; allowed: finite and strictly increasing/);
  assert.throws(() => node.acrossRuns([{ x: [1, 2], y: [1, 2] }, { x: [1, 2, 3], y: [1, 2] }]), /runs\[1\]\.x\.length/);
  assert.throws(() => node.acrossRuns([{ x: [1, NaN], y: [1, 2] }]), /runs\[0\]\.x\[1\]/);
});

test('logTicks: 1, 2, 5 × 10^k covering the range, powers of ten over many decades', () => {
  for (const [lo, hi] of [[0.21, 48.7], [1, 10], [0.003, 0.04], [7, 7], [3.2, 950], [0.038, 73]]) {
    const ticks = node.logTicks(lo, hi);
    assert.ok(ticks[0] <= lo && ticks[ticks.length - 1] >= hi, `[${lo}, ${hi}] in ${ticks}`);
    // The outer ticks are the nearest ones outside the range: the next tick in is inside it
    // (a single value is widened to a factor of 2 either side first).
    if (hi > lo) assert.ok(ticks[1] > lo && ticks[ticks.length - 2] < hi, `tight: ${ticks}`);
    else assert.ok(ticks.length >= 3, `around ${lo}: ${ticks}`);
    for (const t of ticks) {
      const mantissa = t / 10 ** Math.floor(Math.log10(t) + 1e-12);
      assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `tick ${t}`);
    }
    for (let k = 1; k < ticks.length; k++) assert.ok(ticks[k] > ticks[k - 1]);
  }
  const wide = node.logTicks(0.002, 3e5);
  assert.ok(wide.length <= 13 && wide.every((t) => Number.isInteger(Math.round(Math.log10(t) * 1e9) / 1e9)), `${wide}`);
  assert.ok(wide[0] <= 0.002 && wide[wide.length - 1] >= 3e5);
  assert.throws(() => node.logTicks(0, 10), /logTicks\.lo/);
});

/** Tick value → pixel on one panel, linear or logarithmic, from its first and last labelled ticks. */
function panelAxis(panel: string, axis: 'x' | 'y', log = false): (v: number) => number {
  const re = axis === 'y'
    ? /<text x="[\d.]+" y="([\d.]+)" text-anchor="end" dominant-baseline="middle" fill="#444">(-?[\d.]+)<\/text>/g
    : /<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" fill="#444">(-?[\d.]+)<\/text>/g;
  const ticks = [...panel.matchAll(re)].map((m) => [Number(m[2]), Number(m[1])]);
  assert.ok(ticks.length >= 2, `${axis} ticks`);
  const [[v0, p0], [v1, p1]] = [ticks[0], ticks[ticks.length - 1]];
  return log ? (v) => p0 + (Math.log(v / v0) / Math.log(v1 / v0)) * (p1 - p0) : (v) => p0 + ((v - v0) / (v1 - v0)) * (p1 - p0);
}

const pointsOf = (attr: string): Array<[number, number]> => attr.split(' ').map((p) => p.split(',').map(Number) as [number, number]);

test('bandPanelsSvg: lines and bands through their points on linear and log panels, shared y, one legend', () => {
  const iterations = Array.from({ length: 15 }, (_, i) => i + 1);
  const mk = (label: string, color: string, x: number[], slope: number, dash?: string) => ({
    label, color, dash, x,
    y: x.map((_, i) => 18 + slope * i),
    lo: x.map((_, i) => 14 + slope * i - (i % 3)),
    hi: x.map((_, i) => 23 + slope * i + (i % 2)),
  });
  const seconds = iterations.map((i) => 0.08 * i * (1 + 0.02 * i));
  const slowSeconds = seconds.map((t) => 6 * t);
  const series = [{ ...mk('maml', '#6b9bd1', iterations, 5, '7 4'), lineWidth: 3.5 }, mk('directed-maml', '#1d4f91', iterations, 8)];
  const timed = [mk('maml', '#6b9bd1', slowSeconds, 5, '7 4'), mk('directed-maml', '#1d4f91', seconds, 8)];
  const svg = node.bandPanelsSvg([
    { xLabel: 'meta-iteration', yLabel: 'return', series, rules: [{ y: 100, label: 'threshold 100' }], integerX: true, note: 'a & b' },
    { xLabel: 'seconds (log)', yLabel: 'return', series: timed, rules: [{ y: 100, label: 'threshold 100' }], xScale: 'log' },
  ], { title: 'CartPole-v1 <defaults> & seeds 1, 2, 3', subtitle: 'line: mean; band: min–max' });

  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  for (const tag of ['text', 'svg', 'g']) {
    assert.equal((svg.match(new RegExp(`<${tag}\\b`, 'g')) ?? []).length, (svg.match(new RegExp(`</${tag}>`, 'g')) ?? []).length, tag);
  }
  assert.ok(svg.includes('CartPole-v1 &lt;defaults&gt; &amp; seeds 1, 2, 3') && svg.includes('line: mean; band: min–max'));
  assert.ok(svg.includes('>meta-iteration<') && svg.includes('>seconds (log)<') && svg.includes('>a &amp; b<'));
  assert.ok(!svg.includes('NaN') && !svg.includes('Infinity'));
  // The legend names each label once although both panels draw it; dashes follow the series.
  for (const label of ['maml', 'directed-maml']) assert.equal(svg.split(`>${label}</text>`).length - 1, 1, label);

  const panels = [...svg.matchAll(/<g class="panel">([\s\S]*?)<\/g>/g)].map((m) => m[1]);
  assert.equal(panels.length, 2);
  const yTickText = (p: string) => [...p.matchAll(/dominant-baseline="middle" fill="#444">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(yTickText(panels[0]), yTickText(panels[1]), 'shared y ticks');
  assert.ok(yTickText(panels[0]).map(Number).at(-1)! >= 23 + 8 * 14 + 1, 'y covers the highest band');

  panels.forEach((panel, p) => {
    const px = panelAxis(panel, 'x', p === 1), py = panelAxis(panel, 'y');
    const drawn = p === 0 ? series : timed;
    if (p === 1) {
      // Log axis: x = 1 lies at its labelled tick, and equal ratios take equal widths.
      assert.ok(Math.abs(px(0.2) - 2 * px(0.4) + px(0.8)) < 1e-9);
    }
    for (const s of drawn) {
      const line = [...panel.matchAll(new RegExp(`<polyline fill="none" stroke="${s.color}"([^>]*) points="([^"]+)"/>`, 'g'))];
      assert.equal(line.length, 1, `${s.label} line in panel ${p}`);
      assert.equal(line[0][1].includes('stroke-dasharray="7 4"'), s.dash !== undefined);
      if (p === 0) assert.ok(line[0][1].includes(`stroke-width="${s.label === 'maml' ? 3.5 : 2}"`), `${s.label} width`);
      const pts = pointsOf(line[0][2]);
      assert.equal(pts.length, s.x.length);
      pts.forEach(([x, y], i) => assert.ok(Math.abs(x - px(s.x[i])) < 0.11 && Math.abs(y - py(s.y[i])) < 0.11, `${s.label} point ${i}, panel ${p}`));
      const band = [...panel.matchAll(new RegExp(`<polygon fill="${s.color}" fill-opacity="[\\d.]+" stroke="none" points="([^"]+)"/>`, 'g'))];
      assert.equal(band.length, 1, `${s.label} band in panel ${p}`);
      const edge = pointsOf(band[0][1]);
      const n = s.x.length;
      assert.equal(edge.length, 2 * n);
      for (let i = 0; i < n; i++) {
        assert.ok(Math.abs(edge[i][0] - px(s.x[i])) < 0.11 && Math.abs(edge[i][1] - py(s.hi[i])) < 0.11, `upper ${i}`);
        assert.ok(Math.abs(edge[2 * n - 1 - i][0] - px(s.x[i])) < 0.11 && Math.abs(edge[2 * n - 1 - i][1] - py(s.lo[i])) < 0.11, `lower ${i}`);
      }
    }
    const rule = panel.match(/<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)" stroke="#555"[^>]*stroke-dasharray/);
    assert.ok(rule, `rule in panel ${p}`);
    assert.ok(Math.abs(Number(rule![1]) - py(100)) < 0.11 && rule![1] === rule![2]);
    assert.ok(panel.includes('>threshold 100<'));
  });
});

test('bandPanelsSvg: a long legend wraps into rows inside the figure, and the panels move down by as much', () => {
  const x = [1, 2, 3];
  const many = Array.from({ length: 15 }, (_, i) => ({ label: `directed-maml (random task, lr 0.0${i})`, color: `#1234${String(i).padStart(2, '0')}`, x, y: x.map((v) => v + i) }));
  const one = node.bandPanelsSvg([{ xLabel: 'x', yLabel: 'y', series: many.slice(0, 1) }, { xLabel: 'x', yLabel: 'y', series: [] }], { title: 't' });
  const svg = node.bandPanelsSvg([{ xLabel: 'x', yLabel: 'y', series: many }, { xLabel: 'x', yLabel: 'y', series: [] }], { title: 't' });
  const width = Number(svg.match(/^<svg[^>]* width="([\d.]+)"/)![1]);
  const entries = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" dominant-baseline="middle" fill="#222">directed-maml/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(entries.length, 15);
  const rows = [...new Set(entries.map(([, y]) => y))];
  assert.ok(rows.length >= 3, `${rows.length} legend rows`);
  // Every entry ends inside the figure (~6.5 px per character).
  for (const [lx] of entries) assert.ok(lx + 6.5 * 'directed-maml (random task, lr 0.00)'.length <= width, `entry at x ${lx}`);
  // The plot frames keep their height and start below the last legend row.
  const frame = (text: string) => text.match(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="none" stroke="#444"\/>/)!.slice(1).map(Number);
  const [top1, h1] = frame(one);
  const [top, h] = frame(svg);
  assert.equal(h, h1);
  assert.equal(top - top1, 18 * (rows.length - 1));
  assert.ok(top > Math.max(...rows) + 12);
});

test('bandPanelsSvg: NaN breaks lines and bands, x ≤ 0 is left off a log axis, empty panels render', () => {
  const x = [0, 1, 2, 3, 4, 5];
  const y = [10, 12, NaN, 15, 17, 19];
  const s = { label: 'a', color: '#123456', x, y, lo: y.map((v) => v - 2), hi: y.map((v) => v + 2) };
  const linear = node.bandPanelsSvg([{ xLabel: 'x', yLabel: 'y', series: [s] }], { title: 't' });
  assert.equal((linear.match(/<polyline fill="none" stroke="#123456"/g) ?? []).length, 2);
  assert.equal((linear.match(/<polygon fill="#123456"/g) ?? []).length, 2);
  assert.ok(!linear.includes('NaN'));
  const log = node.bandPanelsSvg([{ xLabel: 'x', yLabel: 'y', series: [s], xScale: 'log' }], { title: 't' });
  const lines = [...log.matchAll(/<polyline fill="none" stroke="#123456"[^>]* points="([^"]+)"/g)].map((m) => pointsOf(m[1]).length);
  assert.deepEqual(lines, [1, 3]); // x = 0 dropped, then the NaN at x = 2 splits the rest
  assert.ok(!log.includes('NaN') && !log.includes('Infinity'));
  const empty = node.bandPanelsSvg([{ xLabel: 'x', yLabel: 'y', series: [] }, { xLabel: 'x', yLabel: 'y', series: [], xScale: 'log' }], { title: 't' });
  assert.equal((empty.match(/>no data</g) ?? []).length, 2);
  assert.ok(!empty.includes('NaN') && !empty.includes('Infinity'));
});
