// Finished rollouts, copied out of WASM: rows are episode-major (episode 0's steps, then episode
// 1's …), episodes task-major (episodesPerTask consecutive episodes per task).

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
    readonly actions: Int32Array,
    readonly rewards: Float32Array,
    /** log π(a|s) of the sampled action under the policy that sampled it. */
    readonly logProbs: Float32Array,
  ) {}

  get numEpisodes(): number {
    return this.episodeLengths.length;
  }

  /** Total recorded (valid) steps. */
  get numSteps(): number {
    return this.actions.length;
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
    return new Trajectories(this.envId, this.obsDim, this.numActions, 1, E,
      this.tasks.subarray(i * P, (i + 1) * P),
      this.episodeReturns.subarray(i * E, (i + 1) * E), this.episodeLengths.subarray(i * E, (i + 1) * E),
      this.episodeTerminal.subarray(i * E, (i + 1) * E),
      this.obs.subarray(rowStart * this.obsDim, rowEnd * this.obsDim), this.actions.subarray(rowStart, rowEnd),
      this.rewards.subarray(rowStart, rowEnd), this.logProbs.subarray(rowStart, rowEnd));
  }
}
