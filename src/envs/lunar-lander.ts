import { wasm, wasmConst } from '../core/wasm';
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

/**
 * LunarLanderContinuous-v2 (Gymnasium's LunarLander with continuous=True): the same world, task
 * parameters and rewards, with a box action of 2 clipped to [−1, 1] — a0 the main engine (off for
 * a0 ≤ 0, else throttle 50–100%), a1 the side engines (off for |a1| ≤ 0.5, else throttle 50–100%
 * towards sign(a1)); fuel costs 0.30·m_power and 0.03·s_power. Mapping in assembly/envs/lunar/lander.ts.
 */
export const lunarLanderContinuousSpec: EnvSpec = {
  ...lunarLanderSpec,
  id: 'LunarLanderContinuous-v2',
  wasmKind: 'ENV_LUNAR_LANDER_CONTINUOUS',
  description: 'Land a lander on the pad with throttled engines (Box2D physics, 8 observations, a box action of 2 in [−1, 1]: main, lateral); +100 at rest, −100 on a crash or |x| ≥ 1; truncated after 1000 steps.',
};

/**
 * LunarLanderWind-v0 [I]: LunarLander-v2 (discrete) with a sixth task parameter, steadyWind w (N,
 * signed, unobserved): a constant horizontal force (w, 0) on the lander's centre of mass, applied as
 * Gymnasium applies its wind (with wake, only while no leg touches, reset's step(0) included).
 * Default w ~ U[−6, 6] N with Gymnasium's other defaults (gravity −10, no Gymnasium wind): up to
 * ~1.2 m/s² of sideways acceleration on the ~4.96 kg lander, whose side is the task, so the right
 * lean depends on a parameter only adaptation can find. With w = 0 it steps as LunarLander-v2.
 * Rule in assembly/envs/lunar/lander.ts (beforeWorldStep, P_STEADY_WIND).
 */
export const lunarLanderWindSpec: EnvSpec = {
  ...lunarLanderSpec,
  id: 'LunarLanderWind-v0',
  wasmKind: 'ENV_LUNAR_LANDER_WIND',
  params: [
    ...lunarLanderSpec.params,
    { name: 'steadyWind', min: -20, minInclusive: true, max: 20, description: 'a steady horizontal force on the lander in flight (N, signed; unobserved)' },
  ],
  defaultRanges: { steadyWind: [-6, 6] },
  description: 'LunarLander-v2 in a steady sideways wind whose strength and side are the task (unobserved); +100 at rest, −100 on a crash or |x| ≥ 1; truncated after 1000 steps.',
};

/**
 * LunarLanderPad-v0 [I]: LunarLander-v2 (discrete) with a sixth task parameter, padOffset c (m,
 * signed, unobserved): the helipad's centre is at x = W/2 + c (W = 20 m) instead of W/2, the
 * terrain flat over [c − 2, c + 2] around it. The observation keeps x relative to the screen's
 * centre, so nothing observed says where the pad is (like Navigation2D-v0's goal); the shaping
 * reward measures x from the pad ((x − padX)/(W/2) in place of Gymnasium's s0), while the
 * |x| ≥ 1 out-of-bounds rule stays on the screen. Default c ~ U[−5, 5] m with Gymnasium's other
 * defaults (gravity −10, no wind). With c = 0 it steps as LunarLander-v2. Rule in
 * assembly/envs/lunar/lander.ts (P_PAD_OFFSET, lunarResetLane's terrain, afterWorldStep's shaping).
 */
export const lunarLanderPadSpec: EnvSpec = {
  ...lunarLanderSpec,
  id: 'LunarLanderPad-v0',
  wasmKind: 'ENV_LUNAR_LANDER_PAD',
  params: [
    ...lunarLanderSpec.params,
    // |c| ≤ 6 keeps the pad (c ± 2) and its flattened chunks (within 6 m of it) on the 20 m screen.
    { name: 'padOffset', min: -6, minInclusive: true, max: 6, description: "the helipad centre's offset from the screen's centre (m, signed; unobserved)" },
  ],
  defaultRanges: { padOffset: [-5, 5] },
  description: 'LunarLander-v2 with the pad moved sideways by a hidden offset (the task); +100 at rest, −100 on a crash or |x| ≥ 1 (the screen); truncated after 1000 steps.',
};

/** A body of a LunarLander world: origin position (m), angle (rad), centre-of-mass velocity (m/s), ω (rad/s). */
export interface LunarBody { x: number; y: number; angle: number; vx: number; vy: number; omega: number }

/** The parts of one LunarLander state vector (VecEnv.getState row) a reader needs, decoded. */
export interface LunarLanderState {
  lander: LunarBody;
  legs: [LunarBody, LunarBody];
  /** lunar_lander.py's ground_contact flags of legs[0], legs[1] (set and cleared by contact events). */
  legContact: [boolean, boolean];
  /** Whether the lander, legs[0], legs[1] touch the moon (have a contact with points). */
  touching: [boolean, boolean, boolean];
  awake: boolean;
  gameOver: boolean;
  /** b2Body::m_sleepTime of lander, legs[0], legs[1] (s). */
  sleepTime: [number, number, number];
  windIndex: number;
  torqueIndex: number;
  prevShaping: number;
  /** Terrain heights (m) at x = 0, 2, …, 20. */
  terrainY: number[];
}

/**
 * Decodes row `env` of a LunarLander getState() result. The layout (assembly/envs/lunar/state.ts)
 * is read from the module's LUNAR_* exports; the state holds centres of mass, so origins are
 * derived with the lander's local centre of mass (the legs' is their origin).
 */
export function decodeLunarState(states: ArrayLike<number>, env = 0): LunarLanderState {
  const w = wasm();
  const stateDim = w.envDim(wasmConst('ENV_LUNAR_LANDER'), wasmConst('DIM_STATE'));
  const s = (k: number) => states[env * stateDim + k];
  const bodies = wasmConst('LUNAR_STATE_BODIES'), stride = wasmConst('LUNAR_BODY_STRIDE');
  const centerX = wasmConst('LUNAR_LANDER_CENTER_X'), centerY = wasmConst('LUNAR_LANDER_CENTER_Y');
  const body = (b: number): LunarBody => {
    const o = bodies + b * stride;
    const angle = s(o + 2);
    // Only the lander's origin differs from its centre of mass.
    const lx = b === 0 ? centerX : 0, ly = b === 0 ? centerY : 0;
    return {
      x: s(o) - (Math.cos(angle) * lx - Math.sin(angle) * ly),
      y: s(o + 1) - (Math.sin(angle) * lx + Math.cos(angle) * ly),
      angle, vx: s(o + 3), vy: s(o + 4), omega: s(o + 5),
    };
  };
  const contacts = wasmConst('LUNAR_STATE_CONTACTS'), slots = wasmConst('LUNAR_SLOTS_PER_BODY');
  const slotStride = wasmConst('LUNAR_SLOT_STRIDE'), pointCount = wasmConst('LUNAR_SLOT_POINT_COUNT');
  const touches = (b: number) => Array.from({ length: slots }, (_, k) => s(contacts + (b * slots + k) * slotStride + pointCount)).some((c) => c > 0);
  const sleep = wasmConst('LUNAR_STATE_SLEEP_TIME'), contact = wasmConst('LUNAR_STATE_LEG_CONTACT'), terrain = wasmConst('LUNAR_STATE_TERRAIN');
  return {
    lander: body(0),
    legs: [body(1), body(2)],
    legContact: [s(contact) !== 0, s(contact + 1) !== 0],
    touching: [touches(0), touches(1), touches(2)],
    awake: s(wasmConst('LUNAR_STATE_AWAKE')) !== 0,
    gameOver: s(wasmConst('LUNAR_STATE_GAME_OVER')) !== 0,
    sleepTime: [s(sleep), s(sleep + 1), s(sleep + 2)],
    windIndex: s(wasmConst('LUNAR_STATE_WIND_INDEX')),
    torqueIndex: s(wasmConst('LUNAR_STATE_TORQUE_INDEX')),
    prevShaping: s(wasmConst('LUNAR_STATE_PREV_SHAPING')),
    terrainY: Array.from({ length: stateDim - terrain }, (_, i) => s(terrain + i)), // the terrain comes last
  };
}
