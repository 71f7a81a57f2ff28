// Navigation2D-v0's semantics (assembly/envs/navigation2d.ts) as a user definition for dm.defineEnv,
// in float32 steps: the point starts at (0, 0); the action arrives clipped to [−0.1, 0.1]² (the
// library clips a box action to its bounds); reward −‖position − goal‖ after the move; terminated
// within 0.01 of the goal on both axes; truncated after 100 steps. Used by bench/userenv.ts and
// test/envs/user-env-box.test.ts (which checks it against the built-in bit for bit).
const f = Math.fround;
const TOLERANCE = f(0.01);

export default {
  id: 'JsNavigation2D-v0',
  observationSize: 2,
  maxSteps: 100,
  action: { kind: 'box', size: 2, low: -0.1, high: 0.1 },
  params: { goalX: [-0.5, 0.5], goalY: [-0.5, 0.5] },
  create({ goalX, goalY }) {
    const pos = new Float32Array(2);
    return {
      reset() {
        pos[0] = 0;
        pos[1] = 0;
        return pos;
      },
      step(action) {
        pos[0] = f(pos[0] + action[0]);
        pos[1] = f(pos[1] + action[1]);
        const dx = f(pos[0] - goalX), dy = f(pos[1] - goalY);
        return { obs: pos, reward: -f(Math.sqrt(f(f(dx * dx) + f(dy * dy)))), terminated: Math.abs(dx) < TOLERANCE && Math.abs(dy) < TOLERANCE };
      },
    };
  },
};
