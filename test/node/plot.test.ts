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
