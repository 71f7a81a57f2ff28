// bench/meta: (1) seconds per meta-iteration, split into sampling and gradient, for the six
// algorithms at the library defaults (CartPole-v1, halfLength ∈ [0.25, 0.75], 20 tasks x 20
// episodes); (2) for maml vs directed-maml and fomaml vs directed-fomaml, the iterations and
// seconds until the post-adaptation return first reaches a threshold, over several seeds.
// Every algorithm runs in this process, in turn; medians are quoted.
//   node --import tsx bench/meta.ts [--iterations 5] [--threshold 100] [--seeds 1,2,3] [--max-iterations 60]
import * as dm from 'directed-maml';
import { median } from './common';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const timingIterations = Number(flag('iterations', '5'));
const threshold = Number(flag('threshold', '100'));
const seeds = flag('seeds', '1,2,3').split(',').map(Number);
const maxIterations = Number(flag('max-iterations', '60'));

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

console.log(`\n(2) iterations and seconds until postReturn >= ${threshold} (cap ${maxIterations}), seeds ${seeds.join(', ')}`);
console.log('algorithm            seed   iterations   seconds');
const reach: Record<string, { iterations: number[]; seconds: number[] }> = {};
for (const algo of ['maml', 'directed-maml', 'fomaml', 'directed-fomaml'] as const) {
  reach[algo] = { iterations: [], seconds: [] };
  for (const seed of seeds) {
    const trainer = new dm.Trainer({ algo, seed });
    let seconds = 0, reached = Infinity;
    for await (const m of trainer.run(maxIterations)) {
      seconds += m.seconds;
      if (m.postReturn >= threshold) { reached = m.iteration; break; }
    }
    trainer.dispose();
    reach[algo].iterations.push(reached);
    reach[algo].seconds.push(reached === Infinity ? Infinity : seconds);
    console.log(`${algo.padEnd(20)} ${String(seed).padStart(4)} ${String(reached === Infinity ? `>${maxIterations}` : reached).padStart(12)} ${(reached === Infinity ? NaN : seconds).toFixed(1).padStart(9)}`);
  }
}
console.log('\nmedians over seeds            iterations   seconds');
for (const algo of Object.keys(reach)) {
  console.log(`${algo.padEnd(28)} ${String(median(reach[algo].iterations)).padStart(12)} ${median(reach[algo].seconds).toFixed(1).padStart(9)}`);
}
const ratio = (a: string, b: string, key: 'iterations' | 'seconds') => (median(reach[a][key]) / median(reach[b][key])).toFixed(2);
console.log(`maml / directed-maml: iterations ${ratio('maml', 'directed-maml', 'iterations')}x, seconds ${ratio('maml', 'directed-maml', 'seconds')}x`);
console.log(`fomaml / directed-fomaml: iterations ${ratio('fomaml', 'directed-fomaml', 'iterations')}x, seconds ${ratio('fomaml', 'directed-fomaml', 'seconds')}x`);
