// When the task-directed step of Directed-MAML runs (SPEC §4: the schedule s(k)).
import { ConfigError } from '../errors';

/** When the task-directed step runs: every n-th iteration (n = 1: always) or the first n iterations. */
export interface DirectedSchedule {
  kind: 'every' | 'first';
  n: number;
}

/** Parses a directed-step schedule: 'every', 'every:N' (N ≥ 1) or 'first:K' (K ≥ 0). */
export function parseDirectedSchedule(text: unknown, field = 'directedSchedule'): DirectedSchedule {
  const allowed = "'every' | 'every:N' (N >= 1: iterations 0, N, 2N, …) | 'first:K' (K >= 0: iterations 0..K-1)";
  if (typeof text !== 'string') throw new ConfigError(field, text, allowed);
  if (text === 'every') return { kind: 'every', n: 1 };
  const m = /^(every|first):(\d+)$/.exec(text);
  if (!m) throw new ConfigError(field, text, allowed);
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n) || (m[1] === 'every' && n < 1)) throw new ConfigError(field, text, allowed);
  return { kind: m[1] as DirectedSchedule['kind'], n };
}

/** Whether the task-directed step runs at (0-based) iteration k. */
export function directedStepDue(schedule: DirectedSchedule, k: number): boolean {
  return schedule.kind === 'every' ? k % schedule.n === 0 : k < schedule.n;
}
