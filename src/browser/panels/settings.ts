// The page's starting values per environment (the config's defaults are sized for runs in Node).
// Each env starts with values under which pressing Adapt after a run at these values raises the
// return visibly (measured in Node, which the page equals bit for bit; README "In the browser").

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

/** The env the page opens with. */
export const DEFAULT_ENV = 'CartPole-v1';

const FALLBACK: PageSettings = { hidden: '64,64', iterations: 20, metaBatch: 10, episodes: 10, speed: 2, task: {}, adaptSteps: 3, adaptEpisodes: 20 };

/**
 * CartPole-v1: 8 iterations (at 20 the policy balances for the whole 500 steps before adapting, so
 * Adapt could only show 500 → 500); in Node, seed 1: the medium task's mean return 153 → 180 after
 * 3 steps of 20 episodes (an untrained policy: 15 → 16). LunarLander-v2: a step limit of 400 (its
 * own is 1000: an untrained policy crashes within ~100 steps, but a hovering one would make every
 * iteration sample 1000-step episodes), 60 iterations at an outer rate of 3e-3 (in Node, seed 1:
 * the post-adaptation return went from −251 to 147 in 30 s; to 41 at 1e-3), played at real speed.
 */
const PER_ENV: Record<string, Partial<PageSettings>> = {
  'CartPole-v1': { iterations: 8 },
  'LunarLander-v2': { iterations: 60, maxSteps: 400, outerLr: 3e-3, speed: 1 },
};

/** The page's values for `env`; `stepLimit` and `outerLr` are the env's and the config's own. */
export function settingsOf(env: string, stepLimit: number | undefined, outerLr: number | undefined): PageSettings {
  return { ...FALLBACK, maxSteps: stepLimit, outerLr, ...PER_ENV[env] };
}
