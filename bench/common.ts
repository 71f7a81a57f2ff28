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
export function interleavedRates<K extends string>(steppers: Record<K, { step: (t: number) => void; calls: number }>, runs: number,
  itemsPerCall: number): Record<K, Stats> {
  const entries = Object.entries(steppers) as [K, { step: (t: number) => void; calls: number }][];
  const rates = {} as Record<K, number[]>;
  for (const [name, { step, calls }] of entries) {
    ratePerSecond(step, Math.min(calls, 100), itemsPerCall);
    rates[name] = [];
  }
  for (let r = 0; r < runs; r++) {
    for (const [name, { step, calls }] of entries) rates[name].push(ratePerSecond(step, calls, itemsPerCall));
  }
  return Object.fromEntries(entries.map(([name]) => [name, stats(rates[name])])) as Record<K, Stats>;
}

/**
 * The report of an env benchmark: the three steppers' rates (WASM VecEnv, plain TypeScript,
 * scalar AS per call), a sanity line, and the ratios of medians.
 */
export function printEnvReport(title: string, rates: Record<'wasm' | 'plain' | 'scalar', Stats>, sanity: string, target?: number): void {
  const { wasm, plain, scalar } = rates;
  console.log(title);
  console.log(rateLine('dm VecEnv.step (WASM f32x4, autoreset)', wasm));
  console.log(rateLine('baseline: plain TypeScript, Float64Array, autoreset', plain));
  console.log(rateLine('scalar AS kernel, one JS->WASM call per env (physics)', scalar));
  console.log(`sanity: ${sanity}`);
  console.log(`ratio VecEnv.step / plain TypeScript (medians): ${(wasm.median / plain.median).toFixed(2)}x${target ? `  (target >= ${target}x)` : ''}`);
  console.log(`ratio scalar AS per-call / plain TypeScript (medians): ${(scalar.median / plain.median).toFixed(2)}x`);
}
