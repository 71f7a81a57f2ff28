// The page's starting values per environment (the config's defaults are sized for runs in Node).
// An env starts with values under which Adapt, after a run at these values, raises the return
// visibly where one was found (measured in Node, which the page equals bit for bit).

export interface PageSettings {
  hidden: string;
  iterations: number;
  metaBatch: number;
  episodes: number;
  /** The env's own step limit when absent. */
  maxSteps?: number;
  /** The config's outer rate when absent. */
  outerLr?: number;
  /** Playback factor of the env's pace. */
  speed: number;
  /** The sliders' starting task (the middle of every training range for the names left out). */
  task: Record<string, number>;
  adaptSteps: number;
  adaptEpisodes: number;
}

/** The env the page opens with: its goal is not observed, so only adapting can find it. */
export const DEFAULT_ENV = 'Navigation2D-v0';

const FALLBACK: PageSettings = { hidden: '64,64', iterations: 20, metaBatch: 10, episodes: 10, speed: 2, task: {}, adaptSteps: 3, adaptEpisodes: 20 };

/**
 * Measured in Node with the page's other values (meta-batch 10 × 10 episodes, seed 1, adapt seed 1):
 * - Navigation2D-v0: 40 iterations of 20 episodes per task, hidden 32,32 (the sizes of its learning
 *   test); the task starts at the goal (0.4, 0.3) (the medium task's goal is the start point): 3
 *   steps of 20 episodes take the mean return −41.7 → −37.7 → −32.2 → −25.6 on the common
 *   evaluation batch (−41.4 → −37.8 → −32.1 → −25.7 on the old fresh-batch metric; at 20 iterations
 *   −56.3 → −43.2; the untrained policy, one step: −171 → −157).
 * - CartPole-v1: 4 iterations (at 20 the policy balances for all 500 steps before adapting, so Adapt
 *   showed 500 → 500): on the medium task the mean return goes 71.5 → 85.8 → 86.0 → 85.8 in 3 steps
 *   of 20 episodes, each θ_j scored on the same evaluation batch (common random numbers). At 8
 *   iterations, 153 → 180 on the old metric (a fresh batch per step) is 183.7 → 179.3 on this one:
 *   that "gain" was the batches'. At 2 and 6 iterations: +9.5 and −0.5 (seed 1).
 * - LunarLander-v2: a step limit of 400 (its own is 1000: an untrained policy crashes within ~100
 *   steps, but a hovering one would make every iteration sample 1000-step episodes), 60 iterations at
 *   an outer rate of 3e-3, played at real speed; the task starts with wind 10 N and gravity −10 (it
 *   trains without wind): one step of 6 episodes takes the mean return 121.6 → 158.6 on the common
 *   evaluation batch (36 → 79 on the old fresh-batch metric; the medium task: 249.5 → 251.7).
 * - Intersection-v0: no setting tried showed a gain (0, 5 or 20 iterations, α 0.1 or 0.02,
 *   aggressiveness 0.5 or 0.8: returns stay within ±15 of 7.8, up or down); the fallback values.
 */
const PER_ENV: Record<string, Partial<PageSettings>> = {
  'Navigation2D-v0': { iterations: 40, episodes: 20, hidden: '32,32', task: { goalX: 0.4, goalY: 0.3 } },
  'CartPole-v1': { iterations: 4 },
  'LunarLander-v2': { iterations: 60, maxSteps: 400, outerLr: 3e-3, speed: 1, task: { gravity: -10, windPower: 10 }, adaptSteps: 1, adaptEpisodes: 6 },
  // The same world: the same step limit and pace (its training values are not measured yet).
  'LunarLanderContinuous-v2': { maxSteps: 400, speed: 1 },
};

/** The page's values for `env`; `stepLimit` and `outerLr` are the env's and the config's own. */
export function settingsOf(env: string, stepLimit: number | undefined, outerLr: number | undefined): PageSettings {
  return { ...FALLBACK, maxSteps: stepLimit, outerLr, ...PER_ENV[env] };
}
