import type { EnvSpec } from './spec';

/**
 * LunarLander-v2 (Gymnasium box2d, discrete): land between the flags. Physics is the Box2D 2.3
 * subset of assembly/envs/lunar/ (float32, many worlds per call); Gymnasium's rules, draws and
 * constants are in assembly/envs/lunar/lander.ts. Wind and turbulence are on iff windPower > 0 or
 * turbulencePower > 0 (Gymnasium's enable_wind), with v3's per-reset draw of the wind indices.
 * Actions: 0 noop, 1 left engine, 2 main engine, 3 right engine.
 */
export const lunarLanderSpec: EnvSpec = {
  id: 'LunarLander-v2',
  wasmKind: 'ENV_LUNAR_LANDER',
  params: [
    { name: 'gravity', min: -12, minInclusive: false, max: 0, maxInclusive: false, description: 'vertical gravity (m/s², negative); Gymnasium asserts −12 < g < 0' },
    { name: 'windPower', min: 0, minInclusive: true, max: 20, description: 'maximum horizontal wind force (N); 0 = no wind' },
    { name: 'turbulencePower', min: 0, minInclusive: true, max: 2, description: 'maximum turbulence torque (N·m); 0 = none' },
    { name: 'mainEnginePower', min: 0, minInclusive: false, max: 1000, description: "main engine impulse scale (Gymnasium's MAIN_ENGINE_POWER, 13)" },
    { name: 'sideEnginePower', min: 0, minInclusive: false, max: 1000, description: "side engine impulse scale (Gymnasium's SIDE_ENGINE_POWER, 0.6)" },
  ],
  defaultRanges: { gravity: [-11.5, -4.5] },
  description: 'Land a lander on the pad (Box2D physics, 8 observations, 4 actions); +100 at rest, −100 on a crash or |x| ≥ 1; truncated after 1000 steps.',
};
