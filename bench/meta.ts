// bench/meta: the cost of a meta-iteration and what it buys.
// (1) Seconds per meta-iteration, split into sampling and gradient, for the six algorithms at the
//     library defaults (CartPole-v1, halfLength ∈ [0.25, 0.75], 20 tasks x 20 episodes, [64, 64]
//     tanh), for each gradient engine and each worker count. The variants of one algorithm run
//     interleaved, one iteration each in turn, from the same seed: every variant meets the same
//     tasks and nearly the same trajectories (identical ones across worker counts), and load
//     drift on a shared machine hits them alike. Ratios: wasm- vs tfjs-engine MAML (target ≥ 4x),
//     MAML vs FOMAML per iteration (target ≤ 2x), 2 workers vs 1 (target ≥ 1.7x).
// (2) µs per env-step of a MAML iteration (1 worker) for hidden widths 32, 64, 128, 256, per engine.
// (3) With --peer PATH: the PyTorch MAML-RL peer script (second order, its own settings: 20 tasks x
//     (20 + 20) episodes, ≤ 200 steps, [64, 64] tanh, 2 threads) run in the same sitting by
//     /usr/bin/python3, its env-steps/s beside ours at the same settings; skipped with a message
//     when python3-torch is missing.
// (4) For maml vs directed-maml and fomaml vs directed-fomaml, the iterations and seconds until the
//     post-adaptation return first reaches a threshold, over several seeds, read from runs of a
//     fixed length whose curves are drawn to runs/bench-meta.svg (mean and min–max over seeds); only
//     with --sections …,curves (docs/RESULTS.md answers this question with controls and 5 seeds).
// The gradient engine (config field gradEngine: 'wasm' | 'tfjs') is a dimension. Medians are quoted.
//   node --import tsx bench/meta.ts [--sections timing,widths,peer,curves] [--iterations 5]
//     [--algos maml,fomaml,…] [--engines wasm,tfjs] [--workers 1,2] [--widths 32,64,128,256]
//     [--width-iterations 3] [--peer /path/to/maml_torch.py] [--peer-iters 3] [--peer-warmup 1]
//     [--threshold 100] [--seeds 1,2,3] [--iterations-curve 40] [--curve-workers 0] [--curves-json out.json]
import { writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import * as dm from 'directed-maml';
import { nodeWorkerFactory } from 'directed-maml/node';
import { acrossRuns, bandPanelsSvg, type BandSeries } from '../src/node/plot';
import { median } from './common';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const list = (name: string, fallback: string) => flag(name, fallback).split(',').filter((x) => x !== '');
const timingIterations = Number(flag('iterations', '5'));
const threshold = Number(flag('threshold', '100'));
const seeds = list('seeds', '1,2,3').map(Number);
const curveIterations = Number(flag('iterations-curve', '40'));
const peerPath = flag('peer', '');
const sections = new Set(list('sections', `timing,widths${peerPath ? ',peer' : ''}`));
const workerCounts = list('workers', '1,2').map(Number);
const widths = list('widths', '32,64,128,256').map(Number);
const widthIterations = Number(flag('width-iterations', '3'));

const engines = list('engines', 'wasm,tfjs');
const factory = nodeWorkerFactory();

await dm.init();
console.log(`bench/meta — CartPole-v1, defaults (meta-batch 20 x 20 episodes, [64, 64] tanh), node ${process.version}, ${factory.cores()} cores`);
console.log(`engines: ${engines.join(', ')} (FOMAML takes its first-order gradient from WASM on every engine)`);

interface Variant { label: string; engine: string; workers: number; trainer: dm.Trainer; rows: dm.IterationMetrics[] }

/**
 * Runs `iterations` iterations of each variant, interleaved one iteration at a time; the pools are
 * started before the first timed iteration. Returns the variants with their metrics.
 */
async function interleaved(options: Record<string, unknown>, variants: Array<{ engine: string; workers: number }>, iterations: number): Promise<Variant[]> {
  const runs = variants.map(({ engine, workers }) => {
    const trainer = new dm.Trainer({ ...options, gradEngine: engine, workers, workerFactory: factory } as dm.TrainerOptions);
    return { label: `${engine}/${workers}`, engine, workers, trainer, rows: [] as dm.IterationMetrics[], it: trainer.run(iterations) };
  });
  for (let k = 0; k < iterations; k++) {
    for (const run of runs) {
      const next = await run.it.next();
      if (next.done) throw new Error(`${run.label}: run ended after ${k} iterations`);
      run.rows.push(next.value);
    }
  }
  for (const run of runs) run.trainer.dispose();
  return runs;
}

/**
 * Control for the worker speed-up: the same fixed JavaScript loop on 1 thread, then on `n` threads
 * at once (n times the work); returns n · t(1) / t(n) — n when n cores are free, 1 when none is.
 */
async function parallelHeadroom(n: number): Promise<number> {
  const source = `const { parentPort } = require('node:worker_threads');
    let x = 0; for (let i = 0; i < 2e8; i++) x = (x + i * 1.0000001) % 1e9;
    parentPort.postMessage(x);`;
  const wall = (threads: number) => new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    let done = 0;
    for (let k = 0; k < threads; k++) {
      new Worker(source, { eval: true }).on('message', () => { if (++done === threads) resolve(performance.now() - t0); }).on('error', reject);
    }
  });
  const one = await wall(1);
  return (n * one) / (await wall(n));
}

/** The iterations after the first (which warms the JIT, the workers and the workspaces). */
const timed = (rows: dm.IterationMetrics[]) => rows.slice(1);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const stepsPerSecond = (rows: dm.IterationMetrics[]) => sum(timed(rows).map((m) => m.envSteps)) / sum(timed(rows).map((m) => m.seconds));
const fmt = (x: number, digits = 3, width = 8) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a').padStart(width);

// ---- (1) seconds per iteration: algorithm x engine x workers -------------------------------------
const perIteration: Record<string, number> = {}; // `${algo}/${engine}/${workers}` → median seconds
if (sections.has('timing')) {
  const algos = list('algos', dm.ALGOS.join(','));
  console.log(`\n(1) seconds per meta-iteration over iterations 2..${timingIterations} from the same initial policy (seed 1), median; engines x workers interleaved`);
  console.log('algorithm            engine  workers  sample s   grad s  total s  env steps/it  env-steps/s');
  for (const algo of algos) {
    const variants = engines.flatMap((engine) => workerCounts.map((workers) => ({ engine, workers })));
    for (const run of await interleaved({ algo, seed: 1 }, variants, timingIterations)) {
      const rows = timed(run.rows);
      const total = median(rows.map((m) => m.seconds));
      perIteration[`${algo}/${run.engine}/${run.workers}`] = total;
      console.log(`${algo.padEnd(20)} ${run.engine.padEnd(7)} ${String(run.trainer.workers === run.workers ? run.workers : `${run.workers}?`).padStart(7)} `
        + `${fmt(median(rows.map((m) => m.sampleSeconds)))} ${fmt(median(rows.map((m) => m.gradSeconds)))} ${fmt(total)} `
        + `${median(rows.map((m) => m.envSteps)).toFixed(0).padStart(13)} ${stepsPerSecond(run.rows).toFixed(0).padStart(12)}`);
    }
  }
  console.log('(with workers > 1, sample/grad split the wall time of the parallel tasks in the proportion of their summed per-task times)');
  const t = (algo: string, engine: string, workers: number) => perIteration[`${algo}/${engine}/${workers}`];
  const [w1, w2] = [workerCounts[0], workerCounts[workerCounts.length - 1]];
  console.log('\nratios (of medians of seconds per iteration):');
  if (engines.includes('wasm') && engines.includes('tfjs')) {
    for (const w of workerCounts) console.log(`  maml, tfjs engine / wasm engine, ${w} worker(s): ${(t('maml', 'tfjs', w) / t('maml', 'wasm', w)).toFixed(2)}x  (target >= 4x)`);
  } else {
    console.log('  maml, tfjs engine / wasm engine: n/a (one engine selected)');
  }
  for (const engine of engines) {
    for (const w of workerCounts) console.log(`  maml / fomaml, ${engine} engine, ${w} worker(s): ${(t('maml', engine, w) / t('fomaml', engine, w)).toFixed(2)}  (target <= 2)`);
  }
  if (w1 !== w2) {
    for (const engine of engines) {
      const speedups = algos.map((algo) => `${algo} ${(t(algo, engine, w1) / t(algo, engine, w2)).toFixed(2)}x`);
      console.log(`  ${w2} workers vs ${w1}, ${engine} engine: ${speedups.join(', ')}  (target >= 1.7x)`);
    }
    const headroom = await parallelHeadroom(w2);
    console.log(`  control, measured now: a fixed JS loop on ${w2} threads runs ${headroom.toFixed(2)}x the work per second of 1 thread (${w2} = ${w2} free cores; near 1 = the machine is busy, and no pool can speed up)`);
  }
}

// ---- (2) µs per env-step against the hidden width ------------------------------------------------
if (sections.has('widths')) {
  console.log(`\n(2) µs per env-step of a MAML iteration (1 worker, iterations 2..${widthIterations}, median of seconds / env steps), hidden [w, w] tanh`);
  console.log(`width  ${engines.map((e) => `${e} µs/step`.padStart(14)).join(' ')}`);
  for (const width of widths) {
    const runs = await interleaved({ algo: 'maml', seed: 1, hidden: [width, width] }, engines.map((engine) => ({ engine, workers: 1 })), widthIterations);
    const us = runs.map((run) => median(timed(run.rows).map((m) => (1e6 * m.seconds) / m.envSteps)));
    console.log(`${String(width).padStart(5)}  ${us.map((u) => fmt(u, 1, 14)).join(' ')}`);
  }
}

// ---- (3) the PyTorch peer, same sitting -----------------------------------------------------------
if (sections.has('peer')) {
  console.log('\n(3) PyTorch peer (second-order MAML-RL, 2 threads) against dmaml maml at the same settings: 20 tasks x (20 + 20) episodes, <= 200 steps, [64, 64] tanh');
  const python = '/usr/bin/python3';
  const torchCheck = existsSync(python) ? spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }) : null;
  if (!peerPath || !existsSync(peerPath)) {
    console.log(`  skipped: no peer script at ${JSON.stringify(peerPath)} (give --peer PATH)`);
  } else if (!torchCheck || torchCheck.status !== 0) {
    console.log(`  skipped: ${python} cannot import torch and numpy (Debian: apt-get install -y python3-torch python3-numpy)`);
  } else {
    const peerIters = flag('peer-iters', '3'), peerWarmup = flag('peer-warmup', '1');
    const ours = await interleaved({ algo: 'maml', seed: 1, maxSteps: 200 },
      engines.flatMap((engine) => workerCounts.map((workers) => ({ engine, workers }))), timingIterations);
    const peer = spawnSync(python, [peerPath, '--variant', 'so', '--iters', peerIters, '--warmup', peerWarmup], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const summary = /SUMMARY .*mean total ([\d.]+)s.*env_steps\/iter mean (\d+)/.exec(peer.stdout ?? '');
    if (peer.status !== 0 || !summary) {
      console.log(`  peer failed (exit ${peer.status}): ${(peer.stderr || peer.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
    } else {
      const peerRate = Number(summary[2]) / Number(summary[1]);
      console.log(`  peer: ${peer.stdout.split('\n')[0].trim()}; ${peerIters} timed iterations after ${peerWarmup} warm-up: ${Number(summary[1]).toFixed(3)} s/iteration, ${summary[2]} env steps/iteration`);
      console.log(`  ${'variant'.padEnd(26)} env-steps/s   ratio to peer`);
      console.log(`  ${'pytorch peer (so)'.padEnd(26)} ${peerRate.toFixed(0).padStart(11)}   1.00x`);
      for (const run of ours) {
        const rate = stepsPerSecond(run.rows);
        console.log(`  ${`dmaml maml ${run.engine}, ${run.workers} worker(s)`.padEnd(26)} ${rate.toFixed(0).padStart(11)}   ${(rate / peerRate).toFixed(2)}x  (goal >= 10x)`);
      }
    }
  }
}

if (!sections.has('curves')) process.exit(0);
const curveWorkers = Number(flag('curve-workers', '0'));
console.log(`\n(4) iterations and seconds until postReturn >= ${threshold} (cap ${curveIterations}), seeds ${seeds.join(', ')}`);
console.log('algorithm            seed   iterations   seconds');
const PAIRED = ['maml', 'directed-maml', 'fomaml', 'directed-fomaml'] as const;
const reach: Record<string, { iterations: number[]; seconds: number[] }> = {};
const curves: Record<string, Array<{ iteration: number[]; seconds: number[]; postReturn: number[] }>> = {};
for (const algo of PAIRED) {
  reach[algo] = { iterations: [], seconds: [] };
  curves[algo] = [];
  for (const seed of seeds) {
    // Every run goes the full length, so all curves are as long; the threshold is read off them.
    const trainer = new dm.Trainer({ algo, seed, workers: curveWorkers });
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
mkdirSync(new URL('../runs/', import.meta.url), { recursive: true });
writeFileSync(new URL('../runs/bench-meta.svg', import.meta.url), bandPanelsSvg([
  { xLabel: 'meta-iteration', yLabel, series: series('iteration'), rules, integerX: true, note: 'thin lines (first order) are drawn over wide ones (second order)' },
  { xLabel: 'wall-clock seconds, cumulative (log scale)', yLabel, series: series('seconds'), rules, xScale: 'log' },
], {
  title: `${config.env}, defaults (${ranges}; ${config.metaBatch} tasks × ${config.episodes} episodes; [${config.hidden.join(', ')}] ${config.activation}; inner lr ${config.innerLr}), seeds ${seeds.join(', ')}`,
  subtitle: `line: mean over seeds; band: min–max over seeds (seconds: each seed interpolated onto common times); node ${process.version}, ${curveIterations} iterations per run, workers ${curveWorkers || `${factory.cores()} (one per core)`}`,
}));
const curvesJson = flag('curves-json', '');
if (curvesJson) writeFileSync(curvesJson, JSON.stringify({ threshold, seeds, curves }));
console.log('\nfigure: runs/bench-meta.svg');
