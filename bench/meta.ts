// bench/meta: (1) seconds per meta-iteration, split into sampling and gradient, for the six
// algorithms at the library defaults (CartPole-v1, halfLength ∈ [0.25, 0.75], 20 tasks x 20
// episodes); (2) for maml vs directed-maml and fomaml vs directed-fomaml, the iterations and
// seconds until the post-adaptation return first reaches a threshold, over several seeds, read
// from runs of a fixed length whose curves are drawn to docs/bench-meta.svg (mean and min–max
// over seeds, against iterations and against seconds). Every algorithm runs in this process, in
// turn; medians are quoted.
//   node --import tsx bench/meta.ts [--iterations 5] [--threshold 100] [--seeds 1,2,3] [--iterations-curve 40] [--curves-json out.json]
import { writeFileSync } from 'node:fs';
import * as dm from 'directed-maml';
import { acrossRuns, bandPanelsSvg, type BandSeries } from '../src/node/plot';
import { median } from './common';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const timingIterations = Number(flag('iterations', '5'));
const threshold = Number(flag('threshold', '100'));
const seeds = flag('seeds', '1,2,3').split(',').map(Number);
const curveIterations = Number(flag('iterations-curve', '40'));

await dm.init();
console.log(`bench/meta — CartPole-v1, defaults (meta-batch 20 x 20 episodes, [64, 64] tanh), node ${process.version}`);

console.log(`\n(1) seconds per meta-iteration over iterations 2..${timingIterations} from the same initial policy (seed 1), median`);
console.log('algorithm            sample s   grad s   total s   env steps/it');
const base: Record<string, number> = {};
for (const algo of dm.ALGOS) {
  const trainer = new dm.Trainer({ algo, seed: 1 });
  const rows: dm.IterationMetrics[] = [];
  for await (const m of trainer.run(timingIterations)) rows.push(m);
  trainer.dispose();
  const timed = rows.slice(1); // the first iteration warms the JIT and allocates workspaces
  const total = median(timed.map((m) => m.seconds));
  base[algo] = total;
  console.log(`${algo.padEnd(20)} ${median(timed.map((m) => m.sampleSeconds)).toFixed(3).padStart(8)} ${median(timed.map((m) => m.gradSeconds)).toFixed(3).padStart(8)} ${total.toFixed(3).padStart(9)} ${median(timed.map((m) => m.envSteps)).toFixed(0).padStart(14)}`);
}
console.log(`ratio maml / directed-maml per iteration: ${(base['maml'] / base['directed-maml']).toFixed(2)}; maml / fomaml: ${(base['maml'] / base['fomaml']).toFixed(2)}`);

console.log(`\n(2) iterations and seconds until postReturn >= ${threshold} (cap ${curveIterations}), seeds ${seeds.join(', ')}`);
console.log('algorithm            seed   iterations   seconds');
const PAIRED = ['maml', 'directed-maml', 'fomaml', 'directed-fomaml'] as const;
const reach: Record<string, { iterations: number[]; seconds: number[] }> = {};
const curves: Record<string, Array<{ iteration: number[]; seconds: number[]; postReturn: number[] }>> = {};
for (const algo of PAIRED) {
  reach[algo] = { iterations: [], seconds: [] };
  curves[algo] = [];
  for (const seed of seeds) {
    // Every run goes the full length, so all curves are as long; the threshold is read off them.
    const trainer = new dm.Trainer({ algo, seed });
    const curve = { iteration: [] as number[], seconds: [] as number[], postReturn: [] as number[] };
    let seconds = 0;
    for await (const m of trainer.run(curveIterations)) {
      seconds += m.seconds;
      curve.iteration.push(m.iteration);
      curve.seconds.push(seconds);
      curve.postReturn.push(m.postReturn);
    }
    trainer.dispose();
    curves[algo].push(curve);
    const k = curve.postReturn.findIndex((r) => r >= threshold);
    reach[algo].iterations.push(k < 0 ? Infinity : curve.iteration[k]);
    reach[algo].seconds.push(k < 0 ? Infinity : curve.seconds[k]);
    console.log(`${algo.padEnd(20)} ${String(seed).padStart(4)} ${String(k < 0 ? `>${curveIterations}` : curve.iteration[k]).padStart(12)} ${(k < 0 ? NaN : curve.seconds[k]).toFixed(1).padStart(9)}`);
  }
}
console.log('\nmedians over seeds            iterations   seconds');
for (const algo of Object.keys(reach)) {
  console.log(`${algo.padEnd(28)} ${String(median(reach[algo].iterations)).padStart(12)} ${median(reach[algo].seconds).toFixed(1).padStart(9)}`);
}
const ratio = (a: string, b: string, key: 'iterations' | 'seconds') => (median(reach[a][key]) / median(reach[b][key])).toFixed(2);
console.log(`maml / directed-maml: iterations ${ratio('maml', 'directed-maml', 'iterations')}x, seconds ${ratio('maml', 'directed-maml', 'seconds')}x`);
console.log(`fomaml / directed-fomaml: iterations ${ratio('fomaml', 'directed-fomaml', 'iterations')}x, seconds ${ratio('fomaml', 'directed-fomaml', 'seconds')}x`);

// The figure: each directed variant in a darker shade of its base's hue, solid against dashed;
// first-order lines thin over wide second-order ones, as per iteration they nearly coincide.
const LOOK: Record<(typeof PAIRED)[number], { color: string; dash?: string; lineWidth: number }> = {
  maml: { color: '#6b9bd1', dash: '7 4', lineWidth: 3.5 }, 'directed-maml': { color: '#1d4f91', lineWidth: 3.5 },
  fomaml: { color: '#f09a4a', dash: '7 4', lineWidth: 1.6 }, 'directed-fomaml': { color: '#b4440e', lineWidth: 1.6 },
};
const series = (x: 'iteration' | 'seconds'): BandSeries[] => PAIRED.map((algo) => ({
  label: algo, ...LOOK[algo], ...acrossRuns(curves[algo].map((c) => ({ x: c[x], y: c.postReturn }))),
}));
const config = dm.defaultConfig();
const ranges = Object.entries(config.ranges).map(([k, v]) => `${k} ∈ [${Array.isArray(v) ? v.join(', ') : v}]`).join(', ');
const rules = [{ y: threshold, label: `threshold ${threshold}` }];
const yLabel = 'return after adaptation (mean over tasks)';
writeFileSync(new URL('../docs/bench-meta.svg', import.meta.url), bandPanelsSvg([
  { xLabel: 'meta-iteration', yLabel, series: series('iteration'), rules, integerX: true, note: 'thin lines (first order) are drawn over wide ones (second order)' },
  { xLabel: 'wall-clock seconds, cumulative (log scale)', yLabel, series: series('seconds'), rules, xScale: 'log' },
], {
  title: `${config.env}, defaults (${ranges}; ${config.metaBatch} tasks × ${config.episodes} episodes; [${config.hidden.join(', ')}] ${config.activation}; inner lr ${config.innerLr}), seeds ${seeds.join(', ')}`,
  subtitle: `line: mean over seeds; band: min–max over seeds (seconds: each seed interpolated onto common times); node ${process.version}, ${curveIterations} iterations per run`,
}));
const curvesJson = flag('curves-json', '');
if (curvesJson) writeFileSync(curvesJson, JSON.stringify({ threshold, seeds, curves }));
console.log('\nfigure: docs/bench-meta.svg');
