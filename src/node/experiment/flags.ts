// Value rules for the flags of `dmaml experiment`, `dmaml worker` and `dmaml evaluate` that are not
// config fields (the flags themselves are read by config's one parser, readFlags).
import { ConfigError } from '../../errors';
import { NO_VALUE, type FlagValues } from '../../config';

/** Refuses a flag that is not one of `allowed` (names without --). */
export function checkFlagNames(flags: FlagValues, allowed: readonly string[]): void {
  for (const name of Object.keys(flags)) {
    if (!allowed.includes(name)) throw new ConfigError(`--${name}`, flags[name], allowed.map((f) => `--${f}`).join(', '));
  }
}

const shown = (text: string | typeof NO_VALUE): string => (text === NO_VALUE ? '(no value)' : text);

export function intOption(flags: FlagValues, name: string, fallback: number, min: number, max: number): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const v = text === NO_VALUE || text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`--${name}`, shown(text), `an integer in [${min}, ${max}]`);
  return v;
}

export function stringOption(flags: FlagValues, name: string, what: string): string | undefined {
  const text = flags[name];
  if (text === undefined) return undefined;
  if (text === NO_VALUE || text === '') throw new ConfigError(`--${name}`, shown(text), what);
  return text;
}

/** A comma-separated list: '1,2,3' → ['1', '2', '3']. */
export function listOption(flags: FlagValues, name: string, what: string): string[] | undefined {
  const text = stringOption(flags, name, `a comma-separated list of ${what}`);
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ConfigError(`--${name}`, text, `a comma-separated list of ${what}`);
  return items;
}
