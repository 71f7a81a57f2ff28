// A user env for `dmaml train --env examples/hidden-goal.mjs`: a 5 × 5 gridworld whose goal cell is
// the task and is not observed, so a policy can only find it by adapting (the inner step).
// The module's default export is the definition (see dm.defineEnv in the README).
const SIZE = 5;
const MOVES = [[1, 0], [-1, 0], [0, 1], [0, -1]]; // right, left, up, down

export default {
  id: 'HiddenGoal-v0',
  observationSize: 2, // the agent's cell (x, y), scaled to [0, 1]
  maxSteps: 20,
  action: { kind: 'discrete', n: 4 },
  params: { goalX: [0, SIZE - 1], goalY: [0, SIZE - 1] }, // a task: the goal cell (rounded)
  create({ goalX, goalY }) {
    const gx = Math.round(goalX), gy = Math.round(goalY);
    let x = 0, y = 0;
    const obs = () => [x / (SIZE - 1), y / (SIZE - 1)];
    return {
      reset(rng) {
        x = Math.floor(rng() * SIZE);
        y = Math.floor(rng() * SIZE);
        return obs();
      },
      step(action) {
        x = Math.min(SIZE - 1, Math.max(0, x + MOVES[action][0]));
        y = Math.min(SIZE - 1, Math.max(0, y + MOVES[action][1]));
        const distance = Math.abs(x - gx) + Math.abs(y - gy);
        return { obs: obs(), reward: distance === 0 ? 1 : -0.1 * distance, terminated: distance === 0 };
      },
    };
  },
};
