import type { EnvSpec } from './spec';

/** CartPole-v1 (Gymnasium classic control) as a task family; physics in assembly/envs/cartpole.ts. */
export const cartPoleSpec: EnvSpec = {
  id: 'CartPole-v1',
  wasmKind: 'ENV_CARTPOLE',
  params: [
    { name: 'gravity', min: 0, minInclusive: false, max: 1000, description: 'gravitational acceleration (m/s²)' },
    { name: 'massCart', min: 0, minInclusive: false, max: 1000, description: 'cart mass (kg)' },
    { name: 'massPole', min: 0, minInclusive: false, max: 1000, description: 'pole mass (kg)' },
    { name: 'halfLength', min: 0, minInclusive: false, max: 100, description: "half the pole's length (m); Gymnasium's `length`" },
    { name: 'forceMag', min: 0, minInclusive: false, max: 10000, description: 'push force magnitude (N)' },
  ],
  defaultRanges: { halfLength: [0.25, 0.75] },
  description: 'Balance a pole on a cart; episodes end at |x| > 2.4 m or |θ| > 12°, or after 500 steps.',
};

/**
 * CartPoleFlip-v0 [I]: CartPole-v1 whose sixth task parameter, forceDirection d (unobserved), flips
 * the push: with d < 0 action 1 pushes left and action 0 right (F_a = −(±F)); with d >= 0 it is
 * CartPole-v1's step. Drawn from d ∈ [−1, 1], half of the tasks are flipped, so the action that
 * balances the pole depends on the task and only adaptation can find it. The pole's half length is
 * fixed at Gymnasium's 0.5 m by default, so the sign is the only thing that varies. Physics in
 * assembly/envs/cartpole.ts (cartpoleFlipStepLanes).
 */
export const cartPoleFlipSpec: EnvSpec = {
  id: 'CartPoleFlip-v0',
  wasmKind: 'ENV_CARTPOLE_FLIP',
  params: [
    ...cartPoleSpec.params,
    { name: 'forceDirection', min: -1, minInclusive: true, max: 1, description: 'the push is flipped when < 0 (action 1 pushes left); only its sign matters' },
  ],
  defaultRanges: { forceDirection: [-1, 1] },
  description: 'CartPole-v1 whose actions push the other way on half of the tasks (forceDirection < 0, unobserved); episodes end at |x| > 2.4 m or |θ| > 12°, or after 500 steps.',
};
