// Shared by the benchmarks: summary statistics, formatting, timing and a seeded generator for
// baselines. Nothing here is measured itself.

export interface Stats { min: number; median: number; max: number }

/** min, median (mean of the middle two for an even count) and max. */
export function stats(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1] };
}

export const median = (values: readonly number[]): number => stats(values).median;

const millions = (perSecond: number) => `${(perSecond / 1e6).toFixed(1).padStart(6)} M`;

/** One row of a rate table: name, then min / median / max in millions per second. */
export function rateLine(name: string, s: Stats, unit = 'env-steps/s'): string {
  return `${name.padEnd(58)} min ${millions(s.min)}  median ${millions(s.median)}  max ${millions(s.max)}  ${unit}`;
}

/** Items per second of `calls` calls of fn(t), each handling `itemsPerCall` items. */
export function ratePerSecond(fn: (t: number) => void, calls: number, itemsPerCall: number): number {
  const t0 = performance.now();
  for (let t = 0; t < calls; t++) fn(t);
  return (calls * itemsPerCall) / ((performance.now() - t0) / 1000);
}

/** mulberry32, a tiny seeded generator in [0, 1) for baselines' own random draws (the tests' one). */
export { testRandom as mulberry32 } from '../test/nn/mlp-reference';

/**
 * One warm-up call series of every stepper (JIT tiers, caches), then `runs` rounds in which each
 * runs in turn, so that drift on a shared machine hits them alike. Returns items/s per stepper.
 */
export function interleavedRates(steppers: Record<string, { step: (t: number) => void; calls: number }>, runs: number,
  itemsPerCall: number): Record<string, Stats> {
  const rates: Record<string, number[]> = {};
  for (const [name, { step, calls }] of Object.entries(steppers)) {
    ratePerSecond(step, Math.min(calls, 100), itemsPerCall);
    rates[name] = [];
  }
  for (let r = 0; r < runs; r++) {
    for (const [name, { step, calls }] of Object.entries(steppers)) rates[name].push(ratePerSecond(step, calls, itemsPerCall));
  }
  return Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, stats(values)]));
}
