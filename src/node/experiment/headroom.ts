// Adaptation headroom of an env's task family, from the oracle control (grid.controls.oracle):
// how far the meta-trained policy's k-shot return is below what the same algorithm and budget
// reach when trained on the test task alone (every range fixed at it).
//
// Per seed s (the control seeds on which the meta arm ran too), over the oracle tasks i < n:
//   gap_s = mean_i (oracle_i,s k-shot − meta_s k-shot on task i),
// both scored on task i's common evaluation batch (the held-out protocol's rollout seeds of task
// i, the same for every cell), so the difference carries no batch-difficulty term. The gap is the
// mean over seeds with its 95% Student-t interval (paired: both sides of gap_s share seed s). A
// family has "headroom" when that interval lies above 0; otherwise (within noise, negative, or
// fewer than 2 seeds) "no headroom", and its "the medium task matters" claims are not tested:
// with nothing left to gain by adapting, which task the directed step uses cannot matter.
import { controlSeedsOf, isControl, type Cell, type Grid, type Overrides } from './grid';
import { tInterval } from './inference';
import { mean, type Estimate } from './stats';

/** What the headroom reads of a cell's result (analysis.ts's CellResult, which imports this file, has these fields). */
export interface HeadroomCell {
  phase: Cell['phase'];
  env: string;
  algo: string;
  arm: string;
  seed: number;
  overrides: Overrides;
  /** Held-out mean returns after k = 0..steps inner steps, and per task (returns[task][k]). */
  heldout: { mean: number[]; returns?: number[][] } | null;
}

export type HeadroomLabel = 'headroom' | 'no headroom';

export interface HeadroomResult {
  type: 'headroom';
  env: string;
  /** The oracle's algorithm; `arm` is its main arm (the meta side of the gap). */
  algo: string;
  arm: string;
  /** Oracle tasks: held-out tasks 0..tasks−1. */
  tasks: number;
  /** k: the inner steps both sides are scored after. */
  steps: number;
  /** The seeds with the meta arm and every oracle evaluated. */
  seeds: number[];
  /** Over those seeds, each a mean over the oracle tasks: the meta arm's 0-shot and k-shot, the oracles' k-shot. */
  zeroShot: Estimate;
  kShot: Estimate;
  oracle: Estimate;
  /** oracle − meta k-shot, paired per seed. */
  gap: Estimate;
  label: HeadroomLabel;
}

/** The headroom of every env with oracle cells (none without controls.oracle). */
export function headroomOf(grid: Grid, results: readonly HeadroomCell[]): HeadroomResult[] {
  const spec = grid.controls.oracle;
  if (!spec) return [];
  const k = grid.heldout.steps;
  const out: HeadroomResult[] = [];
  for (const env of grid.envs) {
    const main = results.filter((r) => r.phase === 'main' && r.env === env && r.algo === spec.algo);
    const meta = main.filter((r) => !isControl(r.overrides));
    const seeds: number[] = [], zero: number[] = [], kShot: number[] = [], oracle: number[] = [];
    for (const seed of controlSeedsOf(grid)) {
      const m = meta.find((r) => r.seed === seed)?.heldout?.returns;
      const oracles = Array.from({ length: spec.tasks }, (_, i) => main.find((r) => r.seed === seed && r.overrides.oracle === i)?.heldout?.mean[k]);
      if (!m || m.length < spec.tasks || oracles.some((x) => x === undefined)) continue;
      seeds.push(seed);
      const first = m.slice(0, spec.tasks);
      zero.push(mean(first.map((r) => r[0])));
      kShot.push(mean(first.map((r) => r[k])));
      oracle.push(mean(oracles as number[]));
    }
    const gap = tInterval(oracle.map((o, j) => o - kShot[j]));
    out.push({
      type: 'headroom', env, algo: spec.algo, arm: meta[0]?.arm ?? '', tasks: spec.tasks, steps: k, seeds,
      zeroShot: tInterval(zero), kShot: tInterval(kShot), oracle: tInterval(oracle), gap,
      label: gap.n >= 2 && gap.lo > 0 ? 'headroom' : 'no headroom',
    });
  }
  return out;
}
