// The one tick rule of every figure (Node's SVG files and the page's curve): steps of 1, 2 or 5
// × 10^k, the domain widened to the outer ticks, labels with as many decimals as the step needs.
import { ConfigError } from '../errors';

/** 1, 2 or 5 times a power of ten, the nearest to x (x > 0). */
function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const f = x / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/** Axis ticks covering [lo, hi] with about `count` intervals; the domain is widened to the outer ticks. */
export function niceTicks(lo: number, hi: number, count: number, integer = false): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = Math.max(1, Math.abs(lo) * 0.1);
    lo -= pad;
    hi += pad;
  }
  let step = niceStep((hi - lo) / count);
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; first + k * step <= last + step * 1e-9; k++) ticks.push(first + k * step);
  return { ticks, step };
}

/** A tick's label: the decimals its step needs, no "-0". */
export function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const text = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/**
 * Ticks at 1, 2 and 5 × 10^k covering [lo, hi] (0 < lo) for a logarithmic axis; only powers of
 * ten when that would give more than 13 ticks (four decades). The domain is widened to the outer ticks.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !Number.isFinite(hi)) throw new ConfigError('logTicks.lo', lo, 'a positive finite range');
  if (!(hi > lo)) [lo, hi] = [lo / 2, lo * 2];
  const pick = (mantissas: number[]): number[] => {
    const candidates: number[] = [];
    for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mantissas) candidates.push(Number((m * 10 ** e).toPrecision(12)));
    }
    const first = candidates.filter((v) => v <= lo * (1 + 1e-9)).pop() as number;
    const last = candidates.find((v) => v >= hi * (1 - 1e-9)) as number;
    return candidates.filter((v) => v >= first && v <= last);
  };
  const ticks = pick([1, 2, 5]);
  return ticks.length <= 13 ? ticks : pick([1]);
}
