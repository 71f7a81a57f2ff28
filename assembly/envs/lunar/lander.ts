// LunarLander-v2 (discrete) and LunarLanderContinuous-v2 over lanes: Gymnasium's lunar_lander.py rules on the Box2D 2.3 subset
// of this folder. One lane is one world; its state layout is in state.ts, its bodies in
// definition.ts, world.Step in world.ts; scheduler.ts takes many lanes through a step with these
// rules, render.ts exports what a picture needs.
//
// What is Gymnasium's: terrain, bodies, joints, the initial push, reset()'s implicit step(0), two
// dispersion draws per step, the engines (with the side engine's 17-vs-14 offset), shaping reward
// and fuel costs, termination (game_over or |x| ≥ 1 → −100; lander asleep → +100), truncation at
// 1000 steps (the VecEnv's), world.Step(1/50, 180, 60), and wind and turbulence as v3 draws them.
// What is ours: float32 physics (pybox2d's Box2D is float32 too; observations and the reward's
// shaping are computed in float64 from float32 state and rounded, as Gymnasium does), no
// continuous collision (Box2D's TOI sub-stepping is omitted), the lane's counter-based random
// stream instead of numpy's, wind enabled iff windPower > 0 or turbulencePower > 0 (Gymnasium's
// enable_wind flag), and the contact-slot and event-order rules of contact_manager.ts.
//
// Draws of a lane's stream, uniform u ∈ [0, 1), in this order: reset — 12 terrain heights
// (u·H/2), 2 push components (−1000 + 2000u, x then y), 2 wind indices (floor(−9999 + 19998u),
// wind then torque, drawn even with wind off); then every step, reset's implicit step(0) included,
// 2 dispersions (d = (2u − 1)/SCALE, d0 then d1).
//
// Task parameters (per lane): gravity (m/s², (−12, 0)), windPower, turbulencePower,
// mainEnginePower, sideEnginePower (then a variant's sixth: steadyWind or padOffset, below).

import { uniform01 } from '../../rng';
import { SCALE, FPS, W, VIEWPORT_W, VIEWPORT_H, CHUNKS, INITIAL_X, INITIAL_Y, INITIAL_RANDOM, LEG_AWAY, LEG_DOWN,
  MAIN_ENGINE_POWER, SIDE_ENGINE_POWER, SIDE_ENGINE_HEIGHT, SIDE_ENGINE_AWAY, MAIN_ENGINE_Y_LOCATION,
  TERRAIN_SMOOTHING, HELIPAD_X1, HELIPAD_X2, BODY_LANDER, JOINT_COUNT, LEG_SPAWN_ANGLE, legSign } from './definition';
import { bodyLocalCenterX, bodyLocalCenterY, bodyInvMass, bodyInvInertia } from './body';
import { initBroadPhase } from './contact_manager';
import { worldStepScalar } from './world';
import { rotation, rotSin, rotCos } from './rotation';
import { STATE_DIM as LANDER_STATE_DIM, get, set, at, bodyComponent, B_CX, B_CY, B_ANGLE, B_VX, B_VY, B_OMEGA,
  S_AWAKE, S_GAME_OVER, S_LEG_CONTACT, S_PREV_SHAPING, S_WIND_INDEX, S_TORQUE_INDEX, S_TERRAIN } from './state';

export const STATE_DIM: i32 = LANDER_STATE_DIM;
export const OBS_DIM: i32 = 8;
export const PARAM_DIM: i32 = 5; // gravity, windPower, turbulencePower, mainEnginePower, sideEnginePower
export const NUM_ACTIONS: i32 = 4; // noop, left engine, main engine, right engine
/** LunarLanderContinuous-v2 (continuous=True): a box of 2, [main throttle, lateral], clipped to [−1, 1]. */
export const CONTINUOUS_ACTION_SIZE: i32 = 2;
export const CONTINUOUS_ACTION_LOW: f32 = -1.0;
export const CONTINUOUS_ACTION_HIGH: f32 = 1.0;
export const ACTION_NOOP: i32 = 0;
export const ACTION_LEFT_ENGINE: i32 = 1; // lunar_lander.py: "fire left orientation engine" (direction −1)
export const ACTION_MAIN_ENGINE: i32 = 2;
export const ACTION_RIGHT_ENGINE: i32 = 3; // direction +1
export const MAX_EPISODE_STEPS: i32 = 1000;
export const TERRAIN_DRAWS: i32 = CHUNKS + 1;
export const RESET_DRAWS: u64 = <u64>TERRAIN_DRAWS + 2 + 2 + 2; // terrain, push, wind indices, step(0)'s dispersion
export const STEP_DRAWS: u64 = 2;

export const P_GRAVITY: i32 = 0;
export const P_WIND_POWER: i32 = 1;
export const P_TURBULENCE_POWER: i32 = 2;
export const P_MAIN_ENGINE_POWER: i32 = 3;
export const P_SIDE_ENGINE_POWER: i32 = 4;

// LunarLanderWind-v0 [I] (a task family that needs adaptation, README "Task families that need
// adaptation"): LunarLander-v2 with a sixth task parameter, steadyWind w (N, signed), hidden from
// the observation: a constant horizontal force (w, 0) on the lander's centre of mass, applied like
// Gymnasium's wind (ApplyForceToCenter with wake, only while no leg touches the ground, reset's
// step(0) included) and added after it. Default w ~ U[−6, 6] N (the lander is ~4.96 kg: up to
// ~1.2 m/s² sideways, ~30 m of drift over a 7 s descent, so the pad is missed unless the policy
// leans into a wind whose side is the task). With w = 0 every step is LunarLander-v2's.
export const P_STEADY_WIND: i32 = 5;
export const WIND_PARAM_DIM: i32 = 6; // LunarLander-v2's five, then steadyWind

// LunarLanderPad-v0 [I] (README "Task families that need adaptation"): LunarLander-v2 with a sixth
// task parameter, padOffset c (m, signed), hidden from the observation: the helipad's centre is at
// x = W/2 + c instead of W/2. The observation's s0 stays relative to the screen centre (so nothing
// observed says where the pad is) and so does the |s0| ≥ 1 out-of-bounds rule; the shaping reward
// measures x from the pad instead ((x − padX)/(W/2) in place of s0), and the terrain is flattened
// around the pad (lunarResetLane). With c = 0 every step is LunarLander-v2's.
export const P_PAD_OFFSET: i32 = 5;
export const PAD_PARAM_DIM: i32 = 6; // LunarLander-v2's five, then padOffset
/** Half the pad's width (m): Gymnasium's pad spans chunk_x[4] … chunk_x[6], 2 m either side of W/2. */
export const PAD_HALF_WIDTH: f64 = <f64>(HELIPAD_X2 - HELIPAD_X1) / 2.0;
/**
 * Raw terrain heights whose chunk x lies strictly within this of the pad centre are set to the pad's
 * height (three chunk spacings, 6 m). Why it is enough: smooth_y[i] is the mean of raw i − 1, i,
 * i + 1, so smoothed point i is flat iff |x_i ± 2 − c| < 6, i.e. |x_i − c| < 4; the chunk points
 * bracketing the pad — the last at or left of c − 2 (in (c − 4, c − 2]) and the first at or right
 * of c + 2 (in [c + 2, c + 4)) — are both flat, and so is every point between, so the polyline is
 * flat over [c − 2, c + 2] for any real c. At c = W/2 the raw chunks within 6 m are 3 … 7,
 * Gymnasium's CHUNKS/2 − 2 … CHUNKS/2 + 2.
 */
const PAD_FLAT_RADIUS: f64 = 3.0 * <f64>W / <f64>(CHUNKS - 1);

/** The pad's centre x (m, float64) for padOffset c: W/2 + c (exactly W/2 at c = 0). */
@inline export function padCentre(padOffset: f32): f64 {
  return HALF_W64 + <f64>padOffset;
}

export const DEFAULT_GRAVITY: f32 = -10.0;

/** Gymnasium's defaults with wind off. */
export function lunarDefaultParam(index: i32): f32 {
  switch (index) {
    case P_STEADY_WIND: return 0;
    case P_GRAVITY: return DEFAULT_GRAVITY;
    case P_MAIN_ENGINE_POWER: return MAIN_ENGINE_POWER;
    case P_SIDE_ENGINE_POWER: return SIDE_ENGINE_POWER;
    default: return 0; // windPower, turbulencePower
  }
}

// Reward constants of lunar_lander.py.
const MAIN_FUEL_COST: f64 = 0.30;
const SIDE_FUEL_COST: f64 = 0.03;
const CRASH_REWARD: f32 = -100.0;
const REST_REWARD: f32 = 100.0;
const WIND_MAX_INDEX: f64 = 9999.0; // np_random.integers(−9999, 9999)

// ---- one lane's step state -------------------------------------------------------------------

/**
 * What one lane's step carries from lunar_lander.py's part before world.Step to the physics and to
 * the reward after it (gymnax's step state; the world itself is in state.ts): the engines'
 * throttles the action maps to (m_power, s_power and the side engine's direction), then the
 * lander's force and torque for world.Step (b2Body::m_force, m_torque). One record per lane in
 * flight, passed in and out; nothing of a step lives in module variables.
 */
@unmanaged export class LaneStep {
  mainPower: f64; // m_power: 0 (off) or the main engine's throttle
  sidePower: f64; // s_power: 0 (off) or the side engine's throttle
  sideDirection: f64; // −1 left engine, +1 right engine
  forceX: f32;
  forceY: f32;
  torque: f32;
}

/** lunar_lander.py's state list, float64 (Gymnasium's list before its float32 cast). */
@unmanaged class Observation {
  s0: f64; s1: f64; s2: f64; s3: f64; s4: f64; s5: f64; s6: f64; s7: f64;
  /** What the shaping uses for s0: x measured from the pad, (x − padX)/(W/2); s0 itself when the pad is at W/2. */
  padS0: f64;
}

// ---- observation ---------------------------------------------------------------------------

/** The lander body's origin (b2Body::GetPosition) from its centre of mass: x in lane 0, y in lane 1. */
@inline function landerOrigin(state: usize, stride: usize, lane: i32): v128 {
  const q = rotation(get(state, stride, lane, bodyComponent(BODY_LANDER, B_ANGLE)));
  const s = rotSin(q), c = rotCos(q);
  const lcx = bodyLocalCenterX(BODY_LANDER), lcy = bodyLocalCenterY(BODY_LANDER);
  const x = get(state, stride, lane, bodyComponent(BODY_LANDER, B_CX)) - (c * lcx - s * lcy);
  const y = get(state, stride, lane, bodyComponent(BODY_LANDER, B_CY)) - (s * lcx + c * lcy);
  return f32x4(x, y, 0, 0);
}

/** lunar_lander.py's state list, in float64 from the float32 world, into `o`; padX is the pad's centre (m). */
function observeLane(state: usize, stride: usize, lane: i32, o: Observation, padX: f64 = HALF_W64): void {
  const origin = landerOrigin(state, stride, lane);
  const halfW = HALF_W64, halfH = HALF_H64;
  o.s0 = (<f64>f32x4.extract_lane(origin, 0) - halfW) / halfW;
  o.padS0 = (<f64>f32x4.extract_lane(origin, 0) - padX) / halfW;
  o.s1 = (<f64>f32x4.extract_lane(origin, 1) - (HELIPAD_Y64 + <f64>LEG_DOWN / <f64>SCALE)) / halfH;
  o.s2 = <f64>get(state, stride, lane, bodyComponent(BODY_LANDER, B_VX)) * halfW / <f64>FPS;
  o.s3 = <f64>get(state, stride, lane, bodyComponent(BODY_LANDER, B_VY)) * halfH / <f64>FPS;
  o.s4 = <f64>get(state, stride, lane, bodyComponent(BODY_LANDER, B_ANGLE));
  o.s5 = 20.0 * <f64>get(state, stride, lane, bodyComponent(BODY_LANDER, B_OMEGA)) / <f64>FPS;
  o.s6 = get(state, stride, lane, S_LEG_CONTACT) != 0 ? 1.0 : 0.0;
  o.s7 = get(state, stride, lane, S_LEG_CONTACT + 1) != 0 ? 1.0 : 0.0;
}
// Python's float64 values of VIEWPORT_W / SCALE / 2, VIEWPORT_H / SCALE / 2 and helipad_y = H/4.
const HALF_W64: f64 = <f64>VIEWPORT_W / <f64>SCALE / 2.0;
const HALF_H64: f64 = <f64>VIEWPORT_H / <f64>SCALE / 2.0;
const HELIPAD_Y64: f64 = <f64>VIEWPORT_H / <f64>SCALE / 4.0;

/** Gymnasium's shaping, with x measured from the pad (o.padS0, which is s0 for Gymnasium's pad). */
@inline function shaping(o: Observation): f64 {
  return -100.0 * Math.sqrt(o.padS0 * o.padS0 + o.s1 * o.s1) - 100.0 * Math.sqrt(o.s2 * o.s2 + o.s3 * o.s3) - 100.0 * Math.abs(o.s4)
    + 10.0 * o.s6 + 10.0 * o.s7;
}

// Scratch observation of the function at hand (written and read within one call).
const observation = changetype<Observation>(memory.data(<i32>offsetof<Observation>(), 8));

/** Observations of lanes [0, numEnvs) as rows of 8 float32 (Gymnasium's order). */
export function lunarObserve(numEnvs: i32, lanes: i32, state: usize, obs: usize): void {
  const stride = <usize>lanes << 2;
  const o = observation;
  for (let i = 0; i < numEnvs; i++) {
    observeLane(state, stride, i, o);
    const row = obs + (<usize>i * OBS_DIM << 2);
    store<f32>(row, <f32>o.s0); store<f32>(row, <f32>o.s1, 4); store<f32>(row, <f32>o.s2, 8); store<f32>(row, <f32>o.s3, 12);
    store<f32>(row, <f32>o.s4, 16); store<f32>(row, <f32>o.s5, 20); store<f32>(row, <f32>o.s6, 24); store<f32>(row, <f32>o.s7, 28);
  }
}

// ---- actions to throttles ------------------------------------------------------------------

/** LunarLander-v2's discrete action: one engine at full throttle, or none. */
@inline export function discreteThrottles(step: LaneStep, action: i32): void {
  step.mainPower = action == ACTION_MAIN_ENGINE ? 1.0 : 0.0;
  const side = action == ACTION_LEFT_ENGINE || action == ACTION_RIGHT_ENGINE;
  step.sidePower = side ? 1.0 : 0.0;
  step.sideDirection = side ? <f64>(action - ACTION_MAIN_ENGINE) : 0.0; // −1 left, +1 right
}

/**
 * LunarLanderContinuous-v2's action (continuous=True), clipped to [−1, 1] as step() clips it
 * (float32 here: the clipped value is exact, and Gymnasium then computes in float64): the main
 * engine is off for a0 ≤ 0, else at throttle m_power = (clip(a0, 0, 1) + 1)/2 ∈ [0.5, 1]; the side
 * engines fire for |a1| > 0.5, at throttle s_power = clip(|a1|, 0.5, 1) in direction sign(a1)
 * (−1 left, +1 right). Both may fire in one step. NaN fires nothing (every comparison is false).
 */
@inline export function continuousThrottles(step: LaneStep, a0: f32, a1: f32): void {
  const main = min<f32>(max<f32>(a0, CONTINUOUS_ACTION_LOW), CONTINUOUS_ACTION_HIGH);
  const lateral = min<f32>(max<f32>(a1, CONTINUOUS_ACTION_LOW), CONTINUOUS_ACTION_HIGH);
  step.mainPower = main > 0 ? (<f64>min<f32>(main, 1.0) + 1.0) * 0.5 : 0.0;
  const side = Mathf.abs(lateral) > 0.5;
  step.sidePower = side ? <f64>min<f32>(Mathf.abs(lateral), 1.0) : 0.0;
  step.sideDirection = side ? (lateral > 0 ? 1.0 : -1.0) : 0.0;
}

// ---- before and after world.Step -----------------------------------------------------------

/** tanh(sin(0.02k) + sin(0.01πk)): Gymnasium's never-periodic wind profile at index k. */
@inline function windProfile(k: f64): f64 {
  return Math.tanh(Math.sin(0.02 * k) + Math.sin(Math.PI * 0.01 * k));
}

/** The wind force (N) at wind index k for windPower, or the turbulence torque (N·m) at torque index k for turbulencePower. */
@inline export function windAt(index: f32, power: f32): f32 {
  return <f32>(windProfile(<f64>index) * <f64>power);
}

// One engine firing, as lunar_lander.py computes it: its `ox, oy` (the direction the particle is
// thrown, opposite to the lander's impulse; its length scales the impulse) as f64x2, from
// tip = (sin a, cos a), side = (−cos a, sin a) and the dispersions d0, d1; the impulse acts at the
// lander's origin plus (ox, oy), and for a side engine plus the mount offset below.

/** The main engine's (ox, oy): 4 px below the origin, ±2 px of dispersion. */
@inline export function mainEngineOffset(tipX: f64, tipY: f64, d0: f64, d1: f64): v128 {
  const sideX = -tipY, sideY = tipX;
  return f64x2(tipX * (<f64>MAIN_ENGINE_Y_LOCATION / <f64>SCALE + 2.0 * d0) + sideX * d1,
    -tipY * (<f64>MAIN_ENGINE_Y_LOCATION / <f64>SCALE + 2.0 * d0) - sideY * d1);
}

/** A side engine's (ox, oy); direction −1 for the left engine, +1 for the right. */
@inline export function sideEngineOffset(tipX: f64, tipY: f64, direction: f64, d0: f64, d1: f64): v128 {
  const sideX = -tipY, sideY = tipX;
  return f64x2(tipX * d0 + sideX * (3.0 * d1 + direction * <f64>SIDE_ENGINE_AWAY / <f64>SCALE),
    -tipY * d0 - sideY * (3.0 * d1 + direction * <f64>SIDE_ENGINE_AWAY / <f64>SCALE));
}

/** Where a side engine's impulse acts, relative to origin + (ox, oy): 17 where SIDE_ENGINE_HEIGHT (14) was meant along x (an orientation-dependent torque, kept as Gymnasium has it). */
@inline export function sideEngineMount(tipX: f64, tipY: f64): v128 {
  return f64x2(-tipX * 17.0 / <f64>SCALE, tipY * <f64>SIDE_ENGINE_HEIGHT / <f64>SCALE);
}

/** b2Body::ApplyLinearImpulse on the lander (wake = true), impulse and point in float32. */
function applyLanderImpulse(state: usize, stride: usize, lane: i32, impulseX: f32, impulseY: f32, pointX: f32, pointY: f32): void {
  set(state, stride, lane, S_AWAKE, 1);
  const vx = at(state, stride, lane, bodyComponent(BODY_LANDER, B_VX));
  const vy = at(state, stride, lane, bodyComponent(BODY_LANDER, B_VY));
  const w = at(state, stride, lane, bodyComponent(BODY_LANDER, B_OMEGA));
  const invMass = bodyInvMass(BODY_LANDER), invI = bodyInvInertia(BODY_LANDER);
  store<f32>(vx, load<f32>(vx) + invMass * impulseX);
  store<f32>(vy, load<f32>(vy) + invMass * impulseY);
  const rx = pointX - get(state, stride, lane, bodyComponent(BODY_LANDER, B_CX));
  const ry = pointY - get(state, stride, lane, bodyComponent(BODY_LANDER, B_CY));
  store<f32>(w, load<f32>(w) + invI * (rx * impulseY - ry * impulseX));
}

/** The impulse (−ox·power·throttle, −oy·power·throttle) at point (x, y), Python's order of products. */
@inline function fireEngine(state: usize, stride: usize, lane: i32, offset: v128, x: f64, y: f64, power: f64, throttle: f64): void {
  const ox = f64x2.extract_lane(offset, 0), oy = f64x2.extract_lane(offset, 1);
  applyLanderImpulse(state, stride, lane, <f32>(-ox * power * throttle), <f32>(-oy * power * throttle), <f32>x, <f32>y);
}

/**
 * lunar_lander.py's step() up to world.Step, for the throttles in `step`: wind and turbulence
 * (while no leg touches), the dispersion draws (2 of the lane's stream from `counter`), the main
 * engine's impulse, then the side engine's. Writes the lander's force and torque into `step`
 * (pushX/pushY added: reset's initial push).
 */
export function beforeWorldStep(state: usize, stride: usize, lane: i32, params: usize, step: LaneStep, key: u64, counter: u64,
  pushX: f32, pushY: f32, steadyWind: bool = false): void {
  step.forceX = pushX; step.forceY = pushY; step.torque = 0;
  const windPower = get(params, stride, lane, P_WIND_POWER);
  const turbulencePower = get(params, stride, lane, P_TURBULENCE_POWER);
  const legTouching = get(state, stride, lane, S_LEG_CONTACT) != 0 || get(state, stride, lane, S_LEG_CONTACT + 1) != 0;
  if ((windPower > 0 || turbulencePower > 0) && !legTouching) {
    const windIndex = get(state, stride, lane, S_WIND_INDEX);
    const torqueIndex = get(state, stride, lane, S_TORQUE_INDEX);
    step.forceX += windAt(windIndex, windPower); // ApplyForceToCenter((wind, 0), True)
    set(state, stride, lane, S_WIND_INDEX, windIndex + 1);
    step.torque = windAt(torqueIndex, turbulencePower); // ApplyTorque(torque, True)
    set(state, stride, lane, S_TORQUE_INDEX, torqueIndex + 1);
    set(state, stride, lane, S_AWAKE, 1);
  }
  if (steadyWind && !legTouching) { // LunarLanderWind-v0 only: ApplyForceToCenter((w, 0), True)
    step.forceX += get(params, stride, lane, P_STEADY_WIND);
    set(state, stride, lane, S_AWAKE, 1);
  }

  const angle = <f64>get(state, stride, lane, bodyComponent(BODY_LANDER, B_ANGLE));
  const d0 = (2.0 * <f64>uniform01(key, counter) - 1.0) / <f64>SCALE;
  const d1 = (2.0 * <f64>uniform01(key, counter + 1) - 1.0) / <f64>SCALE;
  if (step.mainPower == 0 && step.sidePower == 0) return;
  const origin = landerOrigin(state, stride, lane);
  const x = <f64>f32x4.extract_lane(origin, 0), y = <f64>f32x4.extract_lane(origin, 1);
  const tipX = Math.sin(angle), tipY = Math.cos(angle);
  if (step.mainPower > 0) {
    const o = mainEngineOffset(tipX, tipY, d0, d1);
    fireEngine(state, stride, lane, o, x + f64x2.extract_lane(o, 0), y + f64x2.extract_lane(o, 1),
      <f64>get(params, stride, lane, P_MAIN_ENGINE_POWER), step.mainPower);
  }
  if (step.sidePower > 0) {
    const o = sideEngineOffset(tipX, tipY, step.sideDirection, d0, d1);
    const mount = sideEngineMount(tipX, tipY);
    fireEngine(state, stride, lane, o, x + f64x2.extract_lane(o, 0) + f64x2.extract_lane(mount, 0),
      y + f64x2.extract_lane(o, 1) + f64x2.extract_lane(mount, 1), <f64>get(params, stride, lane, P_SIDE_ENGINE_POWER), step.sidePower);
  }
}

/**
 * The pad's centre (m) of `lane`: W/2, or for LunarLanderPad-v0 (movedPad) W/2 + its padOffset.
 */
@inline function lanePadCentre(params: usize, stride: usize, lane: i32, movedPad: bool): f64 {
  return movedPad ? padCentre(get(params, stride, lane, P_PAD_OFFSET)) : HALF_W64;
}

/**
 * The rest of step(): shaping reward (x from the lane's pad), the fuel of `step`'s throttles,
 * termination (out of bounds on the observed s0, the screen's). Returns terminated; writes the reward.
 */
export function afterWorldStep(state: usize, stride: usize, lane: i32, params: usize, step: LaneStep, reward: usize, movedPad: bool = false): i32 {
  const o = observation;
  observeLane(state, stride, lane, o, lanePadCentre(params, stride, lane, movedPad));
  const shape = shaping(o);
  let r = <f32>(shape - <f64>get(state, stride, lane, S_PREV_SHAPING) - step.mainPower * MAIN_FUEL_COST - step.sidePower * SIDE_FUEL_COST);
  set(state, stride, lane, S_PREV_SHAPING, <f32>shape);
  let terminated = 0;
  if (get(state, stride, lane, S_GAME_OVER) != 0 || Math.abs(o.s0) >= 1.0) { terminated = 1; r = CRASH_REWARD; }
  if (get(state, stride, lane, S_AWAKE) == 0) { terminated = 1; r = REST_REWARD; }
  store<f32>(reward + (<usize>lane << 2), r);
  return terminated;
}

// ---- reset ---------------------------------------------------------------------------------

/**
 * reset() of lunar_lander.py for one lane: a new terrain, the lander and legs at their spawn poses
 * at rest, the joints fresh, the initial push, the wind indices, then the implicit step(0).
 * Uses RESET_DRAWS draws of stream `key` from `counter`. (The reward buffer is not touched.)
 */
export function lunarResetLane(lanes: i32, lane: i32, state: usize, params: usize, key: u64, counter: u64, steadyWind: bool = false,
  movedPad: bool = false): void {
  const stride = <usize>lanes << 2;
  for (let k = 0; k < STATE_DIM; k++) set(state, stride, lane, k, 0);

  // Terrain: 12 heights in [0, H/2), those within PAD_FLAT_RADIUS of the pad's centre flattened
  // (Gymnasium's CHUNKS/2 − 2 … CHUNKS/2 + 2 for its pad), smoothed with Python's wrap
  // (h[−1] = h[11]); float64 like Python, rounded when Box2D takes the edge vertices. Raw height i
  // sits at chunk x 2i (i = 11 only feeds the smoothing).
  const padX = lanePadCentre(params, stride, lane, movedPad);
  for (let i = 0; i < TERRAIN_DRAWS; i++) {
    const x = <f64>i * (<f64>W / <f64>(CHUNKS - 1));
    const h = Math.abs(x - padX) < PAD_FLAT_RADIUS ? HELIPAD_Y64 : <f64>uniform01(key, counter + <u64>i) * (<f64>VIEWPORT_H / <f64>SCALE / 2.0);
    store<f64>(terrainHeights + (<usize>i << 3), h);
  }
  for (let i = 0; i < CHUNKS; i++) {
    const previous = load<f64>(terrainHeights + (<usize>(i == 0 ? TERRAIN_DRAWS - 1 : i - 1) << 3));
    const here = load<f64>(terrainHeights + (<usize>i << 3));
    const next = load<f64>(terrainHeights + (<usize>(i + 1) << 3));
    set(state, stride, lane, S_TERRAIN + i, <f32>(TERRAIN_SMOOTHING * (previous + here + next)));
  }

  // Lander at (W/2, H), angle 0: its centre of mass is the origin plus the local centre.
  set(state, stride, lane, bodyComponent(BODY_LANDER, B_CX), INITIAL_X + bodyLocalCenterX(BODY_LANDER));
  set(state, stride, lane, bodyComponent(BODY_LANDER, B_CY), INITIAL_Y + bodyLocalCenterY(BODY_LANDER));
  // Legs: legs[j] with i = legSign(j) at (W/2 − i·LEG_AWAY/SCALE, H), angle i·0.05 (box centred on its origin).
  for (let j = 0; j < JOINT_COUNT; j++) {
    const i = legSign(j);
    set(state, stride, lane, bodyComponent(1 + j, B_CX), <f32>(<f64>INITIAL_X - <f64>i * <f64>LEG_AWAY / <f64>SCALE) + bodyLocalCenterX(1 + j));
    set(state, stride, lane, bodyComponent(1 + j, B_CY), INITIAL_Y + bodyLocalCenterY(1 + j));
    set(state, stride, lane, bodyComponent(1 + j, B_ANGLE), i * LEG_SPAWN_ANGLE);
  }
  set(state, stride, lane, S_AWAKE, 1);
  initBroadPhase(state, stride, lane);

  // The initial push (ApplyForceToCenter before the first step) and the wind indices.
  const c = counter + <u64>TERRAIN_DRAWS;
  const pushX = <f32>(-<f64>INITIAL_RANDOM + 2.0 * <f64>INITIAL_RANDOM * <f64>uniform01(key, c));
  const pushY = <f32>(-<f64>INITIAL_RANDOM + 2.0 * <f64>INITIAL_RANDOM * <f64>uniform01(key, c + 1));
  set(state, stride, lane, S_WIND_INDEX, <f32>Math.floor(-WIND_MAX_INDEX + 2.0 * WIND_MAX_INDEX * <f64>uniform01(key, c + 2)));
  set(state, stride, lane, S_TORQUE_INDEX, <f32>Math.floor(-WIND_MAX_INDEX + 2.0 * WIND_MAX_INDEX * <f64>uniform01(key, c + 3)));

  // step(0): its reward is discarded; its shaping becomes prev_shaping.
  const step = resetStep;
  discreteThrottles(step, ACTION_NOOP);
  beforeWorldStep(state, stride, lane, params, step, key, c + 4, pushX, pushY, steadyWind);
  worldStepScalar(state, stride, lane, get(params, stride, lane, P_GRAVITY), step.forceX, step.forceY, step.torque);
  const o = observation;
  observeLane(state, stride, lane, o, padX);
  set(state, stride, lane, S_PREV_SHAPING, <f32>shaping(o));
}
const terrainHeights = memory.data(TERRAIN_DRAWS << 3); // f64 scratch
const resetStep = changetype<LaneStep>(memory.data(<i32>offsetof<LaneStep>(), 8)); // the implicit step(0)'s

// The draw counts, for TypeScript (the tests read them).
export const LUNAR_RESET_DRAWS: i32 = <i32>RESET_DRAWS;
export const LUNAR_STEP_DRAWS: i32 = <i32>STEP_DRAWS;
