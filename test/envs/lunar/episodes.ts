// Whole episodes of LunarLander-v2 (or, with `continuous`, LunarLanderContinuous-v2) on our lanes
// and on the planck reference, with the same random draws per episode (episode i of ours is lane i
// of a VecEnv, whose stream is reproduced with dm.uniforms for planck) and the same policy. Used by
// the statistical fidelity tests (4b, 4c, and continuous.test.ts).
import * as dm from 'directed-maml';
import { PlanckLander, DRAWS_PER_RESET, DRAWS_PER_STEP, MAX_EPISODE_STEPS, type LanderTask } from './planck-lander';

export type Cause = 'crash' | 'out' | 'rest' | 'truncated';
export const CAUSES: readonly Cause[] = ['crash', 'out', 'rest', 'truncated'];

export interface Episode { ret: number; length: number; cause: Cause }

/**
 * A policy of an episode: step t's action from the observation (float32 ours, float64 planck) — a
 * discrete action, or [main, lateral] for the continuous env.
 */
export type EpisodePolicy = (episode: number, t: number, obs: ArrayLike<number>) => number | ArrayLike<number>;

/** lunar_lander.py's cause of a terminal step: rest overrides crash and out (its reward order). */
function causeOf(s: dm.LunarLanderState, obs0: number): Cause {
  if (!s.awake) return 'rest';
  if (s.gameOver) return 'crash';
  if (Math.abs(obs0) >= 1) return 'out';
  throw new Error('a terminated lane with no cause');
}

/** The first episode of each of `count` lanes of a VecEnv (seed `seed`, task `task`) under `policy`. */
export function oursEpisodes(count: number, seed: number, task: Partial<LanderTask>, policy: EpisodePolicy,
  continuous = false): Episode[] {
  const family = dm.taskFamily(continuous ? 'LunarLanderContinuous-v2' : 'LunarLander-v2');
  const env = family.makeVecEnv({ numEnvs: count, seed });
  env.setTasks(family.task(task));
  let obs = env.reset().slice();
  const episodes: (Episode | null)[] = Array(count).fill(null);
  const returns = new Float64Array(count);
  const actions = continuous ? new Float32Array(2 * count) : new Int32Array(count);
  let open = count;
  for (let t = 0; open > 0; t++) {
    for (let i = 0; i < count; i++) {
      const a = episodes[i] ? 0 : policy(i, t, obs.subarray(i * 8, i * 8 + 8));
      if (!continuous) actions[i] = a as number;
      else if (typeof a !== 'number') { actions[2 * i] = a[0]; actions[2 * i + 1] = a[1]; }
    }
    const out = env.step(actions);
    const ended = Array.from({ length: count }, (_, i) => !episodes[i] && (out.terminated[i] || out.truncated[i]));
    const state = ended.some((e) => e) ? env.getState() : null;
    for (let i = 0; i < count; i++) {
      if (episodes[i]) continue;
      returns[i] += out.reward[i];
      if (!ended[i]) continue;
      const cause = out.terminated[i] ? causeOf(dm.decodeLunarState(state!, i), out.obs[i * 8]) : 'truncated';
      episodes[i] = { ret: returns[i], length: t + 1, cause };
      open--;
    }
    obs = out.obs.slice();
  }
  env.dispose();
  return episodes as Episode[];
}

/** The same episodes on planck (episode i with lane i's draws), TOI on unless told otherwise. */
export function planckEpisodes(count: number, seed: number, task: Partial<LanderTask>, policy: EpisodePolicy,
  continuousPhysics = true, continuous = false): Episode[] {
  const episodes: Episode[] = [];
  for (let i = 0; i < count; i++) {
    const draws = dm.uniforms(seed, dm.Purpose.RESET, 0, i, DRAWS_PER_RESET + DRAWS_PER_STEP * (MAX_EPISODE_STEPS + 1));
    let k = 0;
    const env = new PlanckLander(task, () => draws[k++], { continuousPhysics, continuous });
    let s = env.reset();
    let ret = 0;
    for (let t = 0; ; t++) {
      s = env.step(policy(i, t, s.obs));
      ret += s.reward;
      if (s.terminated || t + 1 >= MAX_EPISODE_STEPS) {
        episodes.push({ ret, length: t + 1, cause: s.terminated ? s.cause! : 'truncated' });
        break;
      }
    }
  }
  return episodes;
}

export const countCauses = (eps: Episode[]): number[] => CAUSES.map((c) => eps.filter((e) => e.cause === c).length);
