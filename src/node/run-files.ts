// A run directory's files (Node only). A run directory holds one run of dmaml train: one writer at
// a time (run-lock.ts), an identity every file agrees on (run-identity.ts), and the checks that keep
// a user's files and a long run from being lost (run-survey.ts).
//
//   run.json       the identity, written once when the run starts: env, algo, seed, the resolved
//                  config and its hash (configHash: every field but iterations)
//   run.lock       present while a process writes the directory: pid, host, start time, command
//   metrics.jsonl  one JSON line per iteration, each carrying the run's hash ("run")
//   state.json     the trainer state (atomic; the commit point of an iteration)
//   policy/        the policy (tfjs LayersModel; model.json names the run and the iteration)
//   curve.svg      pre/post-adaptation return per iteration
import { METRICS_FILE } from './store';

export const RUN_FILE = 'run.json';
export const LOCK_FILE = 'run.lock';
export const STATE_FILE = 'state.json';
export const POLICY_DIR = 'policy';
export const CURVE_FILE = 'curve.svg';
export { METRICS_FILE };
