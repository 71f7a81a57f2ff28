// The configuration as users meet it: the schema (src/train/config.ts) and the CLI's one flag
// parser. Isomorphic: no node:* here.
import { ConfigError } from './errors';
import { CONFIG_FIELDS, FIELD_BY_FLAG, defaultConfig, isPlainObject, type ConfigField, type TrainConfig } from './train/config';

export * from './train/config';
export { parseDirectedSchedule, directedStepDue, type DirectedSchedule } from './meta/schedule';

/** A flag given without a value (`--json`). */
export const NO_VALUE = true;
export type FlagValues = Record<string, string | typeof NO_VALUE>;

/**
 * Splits `--name value` / `--name=value` / bare `--name` (→ true) into a map. Values may not start
 * with `--`; a negative number is fine (`--gamma -1` reads -1 and is then refused by the schema).
 */
export function readFlags(argv: readonly string[]): FlagValues {
  const flags: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a.length === 2) throw new ConfigError('argument', a, 'flags of the form --name value');
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (Object.prototype.hasOwnProperty.call(flags, name)) throw new ConfigError(`--${name}`, a, 'each flag at most once');
    if (eq > 0) flags[name] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
    else flags[name] = NO_VALUE;
  }
  return flags;
}

/** Config values from a flag map (kebab-case names); throws on a flag that is not a config field. */
export function configFromFlags(flags: Readonly<FlagValues>, fileConfig?: unknown): Partial<TrainConfig> {
  let base: Record<string, unknown> = {};
  if (fileConfig !== undefined) {
    if (!isPlainObject(fileConfig)) throw new ConfigError('config', fileConfig, 'a JSON object of config fields');
    base = { ...fileConfig };
  }
  const fromFlags: Record<string, unknown> = {};
  for (const [flag, text] of Object.entries(flags)) {
    const f = FIELD_BY_FLAG.get(flag);
    if (!f) throw new ConfigError(`--${flag}`, text, `a config flag: ${CONFIG_FIELDS.map((c) => `--${c.flag}`).join(', ')}`);
    if (text === NO_VALUE) throw new ConfigError(f.name, '(no value)', f.allowed);
    fromFlags[f.name] = f.fromFlag(text);
  }
  return { ...base, ...fromFlags } as Partial<TrainConfig>;
}

/** CLI flags (kebab-case) over an optional --config file object: flags win over the file. */
export function parseCliFlags(argv: readonly string[], fileConfig?: object): Partial<TrainConfig> {
  return configFromFlags(readFlags(argv), fileConfig);
}

/** The fields as --help prints them: flag, default, description, allowed values. */
export function configHelp(): string {
  const defaults = defaultConfig() as unknown as Record<string, unknown>;
  const show = (f: ConfigField): string => {
    if (f.name === 'directedLr') return '= inner-lr';
    if (f.name === 'medium') return 'centre of ranges';
    const v = defaults[f.name];
    if (v === undefined) return '-';
    if (Array.isArray(v)) return v.join(',');
    if (isPlainObject(v)) {
      return `the env's own (${defaults.env}: ` + Object.entries(v).map(([k, r]) => `${k}=${Array.isArray(r) ? r.join(':') : r}`).join(',') + ')';
    }
    return String(v);
  };
  const rows = CONFIG_FIELDS.map((f) => [`--${f.flag} ${f.type}`, f.description, `default ${show(f)}; allowed: ${f.allowed}`]);
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([flag, desc, rule]) => `  ${flag.padEnd(width)}  ${desc}\n  ${''.padEnd(width)}  ${rule}`).join('\n');
}
