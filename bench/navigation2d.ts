// bench/navigation2d: second-order MAML on Navigation2D-v0 (20 tasks x (20 + 20) episodes x ≤ 100
// steps, [64, 64] tanh, Gaussian head, inner step 0.1) — ours (the wasm engine, 1 worker) and the
// PyTorch peer bench/peers/maml_navigation_torch.py (/usr/bin/python3, 2 threads, same settings) run
// in the same sitting; prints both env-steps/s (medians over the timed iterations, the first of each
// being a warm-up) and their ratio. Target: ours ≥ 10x the peer's.
//   node --import tsx bench/navigation2d.ts [--iterations 5] [--peer-iters 5] [--seed 1]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as dm from 'directed-maml';
import { median } from './common';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const iterations = Number(flag('iterations', '5'));
const peerIters = Number(flag('peer-iters', '5'));
const seed = Number(flag('seed', '1'));

await dm.init();
console.log(`bench/navigation2d — second-order MAML, Navigation2D-v0, 20 tasks x (20 + 20) episodes x <= 100 steps, [64, 64] tanh, Gaussian head; node ${process.version}`);

// ---- ours: 1 worker, the wasm gradient engine ----
const trainer = new dm.Trainer({
  env: 'Navigation2D-v0', algo: 'maml', metaBatch: 20, episodes: 20, maxSteps: 100, innerLr: 0.1, hidden: [64, 64],
  activation: 'tanh', seed, gradEngine: 'wasm', workers: 1,
} as dm.TrainerOptions);
const rows: dm.IterationMetrics[] = [];
for await (const m of trainer.run(iterations + 1)) rows.push(m);
trainer.dispose();
const timed = rows.slice(1);
const ours = median(timed.map((m) => m.envSteps / m.seconds));
console.log('ours (wasm engine, 1 worker):');
for (const m of rows) {
  console.log(`  iteration ${m.iteration}${m === rows[0] ? ' [warm-up]' : ''}: ${m.seconds.toFixed(3)} s (sample ${m.sampleSeconds.toFixed(3)}, grad ${m.gradSeconds.toFixed(3)}), `
    + `${m.envSteps} env steps, ${(m.envSteps / m.seconds).toFixed(0)} env-steps/s, pre ${m.preReturn.toFixed(1)} post ${m.postReturn.toFixed(1)}`);
}
console.log(`  median ${median(timed.map((m) => m.seconds)).toFixed(3)} s/iteration, ${ours.toFixed(0)} env-steps/s`);

// ---- the PyTorch peer, same sitting ----
const script = fileURLToPath(new URL('./peers/maml_navigation_torch.py', import.meta.url));
const peer = spawnSync('/usr/bin/python3', [script, '--variant', 'so', '--iters', String(peerIters), '--warmup', '1', '--seed', String(seed)], { encoding: 'utf8' });
if (peer.status !== 0) {
  console.log(`peer: not run (${(peer.stderr || peer.error?.message || '').trim().split('\n').pop()}); apt-get install -y python3-torch`);
} else {
  const out = peer.stdout.trim();
  console.log('peer (PyTorch, second order, 2 threads):');
  for (const line of out.split('\n')) console.log(`  ${line}`);
  const match = /median_steps_per_s (\d+)/.exec(out);
  if (!match) throw new Error('peer: no SUMMARY line');
  const theirs = Number(match[1]);
  console.log(`\nenv-steps/s: ours ${ours.toFixed(0)}, PyTorch ${theirs}; ratio ${(ours / theirs).toFixed(1)}x (target >= 10x)`);
}
