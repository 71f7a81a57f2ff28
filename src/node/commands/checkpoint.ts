// The flags of the commands that read a run (adapt, evaluate). Their policy: src/node/run-policy.ts.
import { CONFIG_FIELDS, type CommandFlag } from '../../config';

/**
 * The flags of config fields that a command reading a run (adapt, evaluate) takes: they default
 * to the run's values, not to the schema's defaults, and the help says so.
 */
export function runDefaultedFlags(names: readonly string[]): CommandFlag[] {
  return CONFIG_FIELDS.filter((f) => names.includes(f.name))
    .map((f): CommandFlag => ({ flag: f.flag, type: f.type, description: `${f.description} (default: the run's)`, allowed: f.allowed }));
}
