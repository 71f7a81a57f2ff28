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
