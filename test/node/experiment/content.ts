// Shared by the experiment tests: what an experiment directory holds that must not depend on how
// it was run (local or queued, straight or resumed), timing fields aside.
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const TIMING = new Set(['sampleSeconds', 'gradSeconds', 'seconds', 'reachSeconds', 'trainSeconds', 'secondsToThreshold']);

/** JSON with every timing field removed, at any depth. */
export function withoutTiming(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTiming);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !TIMING.has(k)).map(([k, v]) => [k, withoutTiming(v)]));
  }
  return value;
}

export const jsonLines = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));

/** Everything in an experiment directory that must not depend on how it was run (timing aside). */
export async function experimentContent(dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { results: withoutTiming(await jsonLines(join(dir, 'results.jsonl'))) };
  for (const cell of (await readdir(join(dir, 'cells'))).sort()) {
    const d = join(dir, 'cells', cell);
    const files = (await readdir(d, { recursive: true })).map(String).filter((f) => !f.startsWith('policy') || f.includes('.')).sort();
    const weights = files.filter((f) => f.startsWith('policy/weights-'));
    out[cell] = {
      files,
      metrics: withoutTiming(await jsonLines(join(d, 'metrics.jsonl'))),
      state: JSON.parse(await readFile(join(d, 'state.json'), 'utf8')),
      heldout: existsSync(join(d, 'heldout.jsonl')) ? await readFile(join(d, 'heldout.jsonl'), 'utf8') : null,
      weights: weights.length === 1 ? (await readFile(join(d, weights[0]))).toString('base64') : weights,
    };
  }
  return out;
}

