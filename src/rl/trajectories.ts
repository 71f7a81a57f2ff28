// Finished rollouts, copied out of WASM: rows are episode-major (episode 0's steps, then episode
// 1's …), episodes task-major (episodesPerTask consecutive episodes per task).

import { headFor, actionWidth, type Actions, type PolicyHead } from '../nn/head';

export class Trajectories {
  constructor(
    readonly envId: string,
    readonly obsDim: number,
    readonly numActions: number,
    readonly numTasks: number,
    readonly episodesPerTask: number,
    /** numTasks x numParams. */
    readonly tasks: Float32Array,
    /** Per episode. */
    readonly episodeReturns: Float32Array,
    readonly episodeLengths: Int32Array,
    /** 1 when the episode terminated, 0 when it was cut by maxSteps. */
    readonly episodeTerminal: Uint8Array,
    /** numSteps x obsDim. */
    readonly obs: Float32Array,
    /** Per step: an action index (discrete env), or actionSize floats (box env: as sampled, unclipped). */
    readonly actions: Actions,
    readonly rewards: Float32Array,
    /** log π(a|s) of the sampled action under the policy that sampled it. */
    readonly logProbs: Float32Array,
    /** A box env's action length (0: discrete, numActions > 0). */
    readonly actionSize = 0,
  ) {}

  /** The policy head these trajectories were sampled for (./nn/head.ts). */
  get head(): PolicyHead {
    return headFor(this);
  }

  get numEpisodes(): number {
    return this.episodeLengths.length;
  }

  /** Total recorded (valid) steps. */
  get numSteps(): number {
    return this.rewards.length;
  }

  /** Mean episode return over all episodes. */
  meanReturn(): number {
    let sum = 0;
    for (const r of this.episodeReturns) sum += r;
    return this.numEpisodes ? sum / this.numEpisodes : 0;
  }

  /** The trajectories of task i alone (views, no copy). */
  task(i: number): Trajectories {
    if (!Number.isInteger(i) || i < 0 || i >= this.numTasks) throw new RangeError(`task index ${i} outside [0, ${this.numTasks - 1}]`);
    const E = this.episodesPerTask;
    let rowStart = 0;
    for (let e = 0; e < i * E; e++) rowStart += this.episodeLengths[e];
    let rowEnd = rowStart;
    for (let e = i * E; e < (i + 1) * E; e++) rowEnd += this.episodeLengths[e];
    const P = this.tasks.length / this.numTasks;
    const width = actionWidth(this.head);
    return new Trajectories(this.envId, this.obsDim, this.numActions, 1, E,
      this.tasks.subarray(i * P, (i + 1) * P),
      this.episodeReturns.subarray(i * E, (i + 1) * E), this.episodeLengths.subarray(i * E, (i + 1) * E),
      this.episodeTerminal.subarray(i * E, (i + 1) * E),
      this.obs.subarray(rowStart * this.obsDim, rowEnd * this.obsDim), this.actions.subarray(rowStart * width, rowEnd * width),
      this.rewards.subarray(rowStart, rowEnd), this.logProbs.subarray(rowStart, rowEnd), this.actionSize);
  }
}
