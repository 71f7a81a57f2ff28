// The table and labels of scripts/headroom.ts, apart so that a test can check the rules on
// constructed rows (test/meta/headroom-table.test.ts). Pure: no node:*, no module state.
import type { TaskRanges } from 'directed-maml';

/** Per family: its ranges (undefined = the family's defaults) and a budget that fits a loaded 2-core machine. */
export interface Budget { ranges?: TaskRanges; iterations: number; metaBatch: number; episodes: number; maxSteps: number; hidden: number[]; innerLr: number; outerLr: number }
export interface Row { family: string; algo: string; budget: Budget; k: number; tasks: number; evalEpisodes: number;
  meta: number[][]; oracle: number[][]; untrained: number[]; seconds: number }

export const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** Two-sided 95% Student t quantiles for 1..10 degrees of freedom. */
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
export function interval(xs: number[]): { mean: number; half: number } {
  const m = mean(xs), n = xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  // Beyond 10 degrees of freedom the 10-df quantile: conservative (wider than the exact t).
  return { mean: m, half: (T95[Math.min(n - 1, 10)]) * sd / Math.sqrt(n) };
}

export function table(rows: Row[]): string {
  const lines = ['| family | untrained | 0-shot | k-shot | oracle | gap (oracle − k-shot) ± 95% t | label | budget (iters × tasks × episodes, maxSteps) | wall |',
    '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const zero = mean(r.meta.map((c) => c[0])), kShot = mean(r.meta.map((c) => c[r.k]));
    const oracle = r.oracle.map((c) => c[r.k]);
    const gap = interval(oracle.map((o, i) => o - r.meta[i][r.k]));
    const label = headroomLabel(r);
    const b = r.budget;
    lines.push(`| ${r.family} | ${mean(r.untrained).toFixed(1)} | ${zero.toFixed(1)} | ${kShot.toFixed(1)} | ${mean(oracle).toFixed(1)} | ${gap.mean.toFixed(1)} ± ${gap.half.toFixed(1)} (${r.tasks} tasks) | ${label} | ${b.iterations} × ${b.metaBatch} × ${b.episodes}, ${b.maxSteps} | ${(r.seconds / 60).toFixed(1)} min |`);
  }
  return lines.join('\n');
}


export type HeadroomLabel = 'headroom' | 'no headroom' | 'inconclusive (budget)';

/**
 * "headroom" when the 95% t interval of oracle − k-shot lies above 0; otherwise "no headroom" when
 * the oracles beat the untrained initialisation (interval of oracle − untrained above 0), and
 * "inconclusive (budget)" when they do not (nothing was learned to compare).
 */
export function headroomLabel(r: Pick<Row, 'k' | 'meta' | 'oracle' | 'untrained'>): HeadroomLabel {
  const oracle = r.oracle.map((c) => c[r.k]);
  const gap = interval(oracle.map((o, i) => o - r.meta[i][r.k]));
  if (gap.mean - gap.half > 0) return 'headroom';
  const learned = interval(oracle.map((o, i) => o - r.untrained[i]));
  return learned.mean - learned.half > 0 ? 'no headroom' : 'inconclusive (budget)';
}
