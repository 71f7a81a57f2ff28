// What the page has received and shows, in one object: the panels read and write it, the
// dispatcher (demo.ts) exposes it as window.dmDemo for the console and the browser tests.
import type { PolicyInfo, BackendActivity } from '../worker';
import type { IterationMetrics, TrainConfig } from '../../index';

export type DemoState = 'loading' | 'ready' | 'running' | 'stopping' | 'finished' | 'stopped' | 'error';

export interface Adaptation {
  task: Record<string, number>;
  /** Names of the task parameters set outside their training range. */
  outside: string[];
  steps: number;
  innerLr: number;
  returns: number[];
  seconds: number;
  metaEpisodeReturn: number;
  adaptedEpisodeReturn: number;
}

export interface DemoRecord {
  state: DemoState;
  config: TrainConfig | null;
  backend: string | null;
  /** Threads that run the tasks of an iteration (the trainer's worker pool). */
  workers: number | null;
  /** What the tfjs backend did in the last run (webgl: shader programs run, GPU memory). */
  activity: BackendActivity | null;
  metrics: IterationMetrics[];
  /** The policy adapt, save and the episode view use: untrained (the env's starting point), trained here or loaded. */
  policy: PolicyInfo | null;
  /** The episode of the policy on the sliders' task shown before any adaptation (null once adapted). */
  preview: { env: string; task: Record<string, number>; return: number; length: number } | null;
  adaptation: Adaptation | null;
  /** 'playing' while the episodes are drawn, 'done' when they reached their last frame. */
  playback: 'idle' | 'playing' | 'done';
  saved: string[];
  downloads: string[];
  /** The last result of a save, load or delete ('saved …', 'loaded …', 'deleted …', or an error). */
  store: { state: 'idle' | 'busy' | 'ok' | 'error'; message: string };
  adaptState: 'idle' | 'busy' | 'ok' | 'error';
}

export function newRecord(): DemoRecord {
  return {
    state: 'loading', config: null, backend: null, workers: null, activity: null, metrics: [], policy: null, preview: null, adaptation: null,
    playback: 'idle', saved: [], downloads: [], store: { state: 'idle', message: '' }, adaptState: 'idle',
  };
}

/** A run is being set up or in progress: the form, adapt and the store wait. */
export const training = (r: DemoRecord): boolean => r.state === 'loading' || r.state === 'running' || r.state === 'stopping';
