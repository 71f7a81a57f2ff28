// The configuration as users meet it: the schema (src/train/config.ts) and the CLI's one flag
// parser, which every command uses for config fields and for its own flags (--out, --resume,
// --checkpoint, --steps, --json, …) alike. Isomorphic: no node:* here.
import { ConfigError } from './errors';
import { CONFIG_FIELDS, FIELD_BY_FLAG, defaultConfig, isPlainObject, type ConfigField, type TrainConfig } from './train/config';

export * from './train/config';
export * from './train/memory-plan';
export { parseDirectedSchedule, directedStepDue, type DirectedSchedule } from './core/schedule';

/** A flag given without a value (`--json`). */
export const NO_VALUE = true;
export type FlagValues = Record<string, string | typeof NO_VALUE>;

/** A flag of a command that is not a config field. */
export interface CommandFlag {
  /** kebab-case, without the dashes. */
  flag: string;
  /** Placeholder in usage and --help ('<dir>', '<int>'); '' for a switch. */
  type: string;
  description: string;
  /** What is allowed, as printed in errors and --help. */
  allowed: string;
  /** A switch takes no value (`--json`); every other flag needs one. */
  isSwitch?: boolean;
  /** Text → value; throws a ConfigError naming --flag. Default: the text, refused when empty. */
  parse?(text: string): unknown;
}

export interface FlagRules {
  /** The command, for error messages (`a flag of dmaml adapt: …`). */
  command: string;
  flags?: readonly CommandFlag[];
  /** The config fields this command takes as flags: every one, or those named. */
  configFields?: 'all' | readonly (keyof TrainConfig)[];
}

export interface ParsedArgs {
  /** Config fields given as flags, each validated by its field (not yet resolved). */
  config: Partial<TrainConfig>;
  /** The command's own flags that were given, by flag name (switches: true). */
  flags: Record<string, unknown>;
}

/**
 * Splits `--name value` / `--name=value` / bare `--name` (→ NO_VALUE) into a map. A value may not
 * start with `--` (a negative number is fine: `--gamma -1` reads -1, which the schema refuses).
 * Names in `switches` never take the next argument as their value. Refuses a positional argument
 * and a flag given twice.
 */
export function readFlags(argv: readonly string[], switches: ReadonlySet<string> = new Set()): FlagValues {
  const flags: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a.length === 2) throw new ConfigError('argument', a, 'flags of the form --name value');
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (Object.prototype.hasOwnProperty.call(flags, name)) throw new ConfigError(`--${name}`, a, 'each flag at most once');
    if (eq > 0) flags[name] = a.slice(eq + 1);
    else if (!switches.has(name) && i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
    else flags[name] = NO_VALUE;
  }
  return flags;
}

function configFieldsOf(rules: FlagRules): ConfigField[] {
  const which = rules.configFields ?? [];
  return which === 'all' ? [...CONFIG_FIELDS] : CONFIG_FIELDS.filter((f) => which.includes(f.name));
}

/** Every flag a command takes, as `--name` (for the error on an unknown flag). */
function knownFlags(rules: FlagRules): string {
  return [...(rules.flags ?? []).map((f) => f.flag), ...configFieldsOf(rules).map((f) => f.flag)].map((f) => `--${f}`).join(', ');
}

/**
 * The one parser of the CLI. Each command states its own flags and the config fields it takes;
 * every problem is a ConfigError: an unknown flag, a missing value or a value given to a switch,
 * a flag given twice (`--flag: …`), a bad value (the config field's name, or `--flag`).
 */
export function parseArgs(argv: readonly string[], rules: FlagRules): ParsedArgs {
  const own = new Map((rules.flags ?? []).map((f) => [f.flag, f]));
  const fields = new Map(configFieldsOf(rules).map((f) => [f.flag, f]));
  const raw = readFlags(argv, new Set([...own.values()].filter((f) => f.isSwitch).map((f) => f.flag)));
  const config: Record<string, unknown> = {};
  const flags: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(raw)) {
    const command = own.get(name);
    const field = fields.get(name);
    if (command) {
      if (command.isSwitch) {
        if (text !== NO_VALUE) throw new ConfigError(`--${name}`, text, 'no value (a switch)');
        flags[name] = true;
      } else {
        if (text === NO_VALUE) throw new ConfigError(`--${name}`, '(no value)', command.allowed);
        if (!command.parse && text === '') throw new ConfigError(`--${name}`, text, command.allowed);
        flags[name] = command.parse ? command.parse(text) : text;
      }
    } else if (field) {
      if (text === NO_VALUE) throw new ConfigError(`--${name}`, '(no value)', field.allowed);
      config[field.name] = field.fromFlag(text);
    } else {
      throw new ConfigError(`--${name}`, text === NO_VALUE ? '(no value)' : text, `a flag of dmaml ${rules.command}: ${knownFlags(rules)}`);
    }
  }
  return { config: config as Partial<TrainConfig>, flags };
}

/** Config values over an optional --config file object (flags win). */
export function configFromFlags(config: Partial<TrainConfig>, fileConfig?: unknown): Partial<TrainConfig> {
  let base: Record<string, unknown> = {};
  if (fileConfig !== undefined) {
    if (!isPlainObject(fileConfig)) throw new ConfigError('config', fileConfig, 'a JSON object of config fields');
    base = { ...fileConfig };
  }
  return { ...base, ...config } as Partial<TrainConfig>;
}

/** CLI flags (kebab-case config fields only) over an optional --config file object: flags win over the file. */
export function parseCliFlags(argv: readonly string[], fileConfig?: object): Partial<TrainConfig> {
  return configFromFlags(parseArgs(argv, { command: 'train', configFields: 'all' }).config, fileConfig);
}

/** An integer flag of a command: `--steps 3`. */
export function intFlag(flag: string, description: string, min: number, max: number): CommandFlag {
  const allowed = `an integer in [${min}, ${max}]`;
  return {
    flag, type: '<int>', description, allowed,
    parse(text) {
      const v = text.trim() === '' ? NaN : Number(text);
      if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`--${flag}`, text, allowed);
      return v;
    },
  };
}

/** The command flags as --help prints them (same layout as configHelp). */
export function flagsHelp(flags: readonly CommandFlag[]): string {
  const rows = flags.map((f) => [`--${f.flag}${f.type ? ` ${f.type}` : ''}`, f.description, `allowed: ${f.allowed}`]);
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([flag, desc, rule]) => `  ${flag.padEnd(width)}  ${desc}\n  ${''.padEnd(width)}  ${rule}`).join('\n');
}

/** The fields as --help prints them: flag, default, description, allowed values. */
export function configHelp(fields: readonly ConfigField[] = CONFIG_FIELDS): string {
  const defaults = defaultConfig() as unknown as Record<string, unknown>;
  // Defaults that depend on other fields, said once here (the descriptions' own "default …" is dropped).
  const dependent: Record<string, string> = { directedLr: 'inner-lr (α)', workers: '0 (one per core); 1 with backend webgl', gradEngine: 'wasm; tfjs with backend webgl' };
  const show = (f: ConfigField): string => {
    if (f.name in dependent) return dependent[f.name]!;
    if (f.name === 'medium') return 'centre of ranges';
    const v = defaults[f.name];
    if (v === undefined) return '-';
    if (Array.isArray(v)) return v.join(',');
    if (isPlainObject(v)) {
      return `the env's own (${defaults.env}: ` + Object.entries(v).map(([k, r]) => `${k}=${Array.isArray(r) ? r.join(':') : r}`).join(',') + ')';
    }
    return String(v);
  };
  const rows = fields.map((f) => [`--${f.flag} ${f.type}`, f.description.replace(/; default:? [^;)]*/, ''), `default ${show(f)}; allowed: ${f.allowed}${f.appliesWhen ? `; only with ${f.appliesWhen}` : ''}`]);
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([flag, desc, rule]) => `  ${flag.padEnd(width)}  ${desc}\n  ${''.padEnd(width)}  ${rule}`).join('\n');
}

export { FIELD_BY_FLAG };
