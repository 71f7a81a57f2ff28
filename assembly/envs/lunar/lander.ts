// LunarLander-v2 (discrete) over lanes: Gymnasium's lunar_lander.py rules on the Box2D 2.3 subset
// of this folder. One lane is one world; its state layout is in state.ts, its bodies in
// definition.ts.
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
// mainEnginePower, sideEnginePower.

import { uniform01 } from '../../rng';
import { SCALE, FPS, VIEWPORT_W, VIEWPORT_H, CHUNKS, INITIAL_X, INITIAL_Y, INITIAL_RANDOM, LEG_AWAY, LEG_DOWN,
  MAIN_ENGINE_POWER, SIDE_ENGINE_POWER, SIDE_ENGINE_HEIGHT, SIDE_ENGINE_AWAY, MAIN_ENGINE_Y_LOCATION,
  TERRAIN_SMOOTHING, BODY_COUNT, BODY_LANDER, JOINT_COUNT, LANDER_SHAPE, LEG_SPAWN_ANGLE, legSign, W, H, HELIPAD_X1, HELIPAD_X2, HELIPAD_Y,
  bodyShape } from './definition';
import { vertexX, vertexY } from './polygon';
import { bodyLocalCenterX, bodyLocalCenterY, bodyInvMass, bodyInvInertia } from './body';
import { collideLane, clearManifolds, synchronizeLane, initBroadPhase, chunkX, GROUP_LANES, BATCH_LANES } from './contact_manager';
import { prepareIsland4, solveVelocities4, finishIsland4 } from './island4';
import { solveIsland } from './island';
import { rotation, rotSin, rotCos } from './rotation';
import { STATE_DIM as LANDER_STATE_DIM, S_BODIES, BODY_STRIDE, S_SLEEP_TIME, S_JOINTS, S_CONTACTS, SLOTS_PER_BODY, SLOT_STRIDE, C_POINT_COUNT, slotComponent, get, set, at, bodyComponent, B_CX, B_CY, B_ANGLE, B_VX, B_VY, B_OMEGA,
  S_AWAKE, S_GAME_OVER, S_LEG_CONTACT, S_PREV_SHAPING, S_WIND_INDEX, S_TORQUE_INDEX, S_TERRAIN } from './state';

export const STATE_DIM: i32 = LANDER_STATE_DIM;
export const OBS_DIM: i32 = 8;
export const PARAM_DIM: i32 = 5; // gravity, windPower, turbulencePower, mainEnginePower, sideEnginePower
export const NUM_ACTIONS: i32 = 4; // noop, left engine, main engine, right engine
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

export const DEFAULT_GRAVITY: f32 = -10.0;

/** Gymnasium's defaults with wind off. */
export function lunarDefaultParam(index: i32): f32 {
  switch (index) {
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

/** lunar_lander.py's state list, in float64 from the float32 world, into `o`. */
function observeLane(state: usize, stride: usize, lane: i32, o: Observation): void {
  const origin = landerOrigin(state, stride, lane);
  const halfW = HALF_W64, halfH = HALF_H64;
  o.s0 = (<f64>f32x4.extract_lane(origin, 0) - halfW) / halfW;
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

@inline function shaping(o: Observation): f64 {
  return -100.0 * Math.sqrt(o.s0 * o.s0 + o.s1 * o.s1) - 100.0 * Math.sqrt(o.s2 * o.s2 + o.s3 * o.s3) - 100.0 * Math.abs(o.s4)
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
@inline function discreteThrottles(step: LaneStep, action: i32): void {
  step.mainPower = action == ACTION_MAIN_ENGINE ? 1.0 : 0.0;
  const side = action == ACTION_LEFT_ENGINE || action == ACTION_RIGHT_ENGINE;
  step.sidePower = side ? 1.0 : 0.0;
  step.sideDirection = side ? <f64>(action - ACTION_MAIN_ENGINE) : 0.0; // −1 left, +1 right
}

// ---- before and after world.Step -----------------------------------------------------------

/** tanh(sin(0.02k) + sin(0.01πk)): Gymnasium's never-periodic wind profile at index k. */
@inline function windProfile(k: f64): f64 {
  return Math.tanh(Math.sin(0.02 * k) + Math.sin(Math.PI * 0.01 * k));
}

/** The wind force (N) at wind index k for windPower, or the turbulence torque (N·m) at torque index k for turbulencePower. */
@inline function windAt(index: f32, power: f32): f32 {
  return <f32>(windProfile(<f64>index) * <f64>power);
}

// One engine firing, as lunar_lander.py computes it: its `ox, oy` (the direction the particle is
// thrown, opposite to the lander's impulse; its length scales the impulse) as f64x2, from
// tip = (sin a, cos a), side = (−cos a, sin a) and the dispersions d0, d1; the impulse acts at the
// lander's origin plus (ox, oy), and for a side engine plus the mount offset below.

/** The main engine's (ox, oy): 4 px below the origin, ±2 px of dispersion. */
@inline function mainEngineOffset(tipX: f64, tipY: f64, d0: f64, d1: f64): v128 {
  const sideX = -tipY, sideY = tipX;
  return f64x2(tipX * (<f64>MAIN_ENGINE_Y_LOCATION / <f64>SCALE + 2.0 * d0) + sideX * d1,
    -tipY * (<f64>MAIN_ENGINE_Y_LOCATION / <f64>SCALE + 2.0 * d0) - sideY * d1);
}

/** A side engine's (ox, oy); direction −1 for the left engine, +1 for the right. */
@inline function sideEngineOffset(tipX: f64, tipY: f64, direction: f64, d0: f64, d1: f64): v128 {
  const sideX = -tipY, sideY = tipX;
  return f64x2(tipX * d0 + sideX * (3.0 * d1 + direction * <f64>SIDE_ENGINE_AWAY / <f64>SCALE),
    -tipY * d0 - sideY * (3.0 * d1 + direction * <f64>SIDE_ENGINE_AWAY / <f64>SCALE));
}

/** Where a side engine's impulse acts, relative to origin + (ox, oy): 17 where SIDE_ENGINE_HEIGHT (14) was meant along x (an orientation-dependent torque, kept as Gymnasium has it). */
@inline function sideEngineMount(tipX: f64, tipY: f64): v128 {
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
function beforeWorldStep(state: usize, stride: usize, lane: i32, params: usize, step: LaneStep, key: u64, counter: u64,
  pushX: f32, pushY: f32): void {
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

// The bodies' poses at the start of the step of each lane of a batch (b2Sweep c0, a0), for the
// broad phase's swept AABBs: f32 [BATCH_LANES][3][BODY_COUNT] (c0x, c0y, a0).
const startPoses = memory.data(BATCH_LANES * 3 * BODY_COUNT * 4);
@inline function startPose(laneInBatch: i32, c: i32): usize {
  return startPoses + <usize>((laneInBatch * 3 + c) * BODY_COUNT) * 4;
}
function saveStartPose(state: usize, stride: usize, lane: i32, laneInBatch: i32): void {
  for (let b = 0; b < BODY_COUNT; b++) {
    store<f32>(startPose(laneInBatch, 0) + (<usize>b << 2), get(state, stride, lane, bodyComponent(b, B_CX)));
    store<f32>(startPose(laneInBatch, 1) + (<usize>b << 2), get(state, stride, lane, bodyComponent(b, B_CY)));
    store<f32>(startPose(laneInBatch, 2) + (<usize>b << 2), get(state, stride, lane, bodyComponent(b, B_ANGLE)));
  }
}

/**
 * world.Step(1/FPS, 180, 60) of one lane, scalar (b2World::Step without TOI): collide, solve the
 * island with the lander's force and torque of `step`, synchronize the broad phase. Nothing
 * happens while the island sleeps.
 */
function worldStepScalar(state: usize, stride: usize, lane: i32, params: usize, step: LaneStep): void {
  if (get(state, stride, lane, S_AWAKE) == 0) return;
  collideLane(state, stride, lane, 0);
  saveStartPose(state, stride, lane, 0);
  solveIsland(state, stride, lane, 0, get(params, stride, lane, P_GRAVITY), step.forceX, step.forceY, step.torque);
  synchronizeLane(state, stride, lane, startPose(0, 0), startPose(0, 1), startPose(0, 2));
}

/** The rest of step(): shaping reward, the fuel of `step`'s throttles, termination. Returns terminated; writes the reward. */
function afterWorldStep(state: usize, stride: usize, lane: i32, step: LaneStep, reward: usize): i32 {
  const o = observation;
  observeLane(state, stride, lane, o);
  const shape = shaping(o);
  let r = <f32>(shape - <f64>get(state, stride, lane, S_PREV_SHAPING) - step.mainPower * MAIN_FUEL_COST - step.sidePower * SIDE_FUEL_COST);
  set(state, stride, lane, S_PREV_SHAPING, <f32>shape);
  let terminated = 0;
  if (get(state, stride, lane, S_GAME_OVER) != 0 || Math.abs(o.s0) >= 1.0) { terminated = 1; r = CRASH_REWARD; }
  if (get(state, stride, lane, S_AWAKE) == 0) { terminated = 1; r = REST_REWARD; }
  store<f32>(reward + (<usize>lane << 2), r);
  return terminated;
}

/**
 * Which of the lanes to step, in the order their SIMD groups take them: lanes that touched the
 * same contact slots after the previous step are grouped together (a counting sort on that
 * signature, stable, asleep lanes last), so that a group of lanes in flight does not pay for the
 * contact solve of one landed lane. The grouping decides speed only: every lane's result is the
 * same in any group (masked updates; see island4.ts). Returns how many lanes `order` holds.
 */
function orderLanes(lanes: i32, state: usize, stride: usize, alive: usize): i32 {
  if (lanes > orderCapacity) {
    if (order != 0) heap.free(order);
    orderCapacity = max(lanes, orderCapacity * 2);
    order = heap.alloc(<usize>orderCapacity << 2);
  }
  memory.fill(signatureCounts, 0, SIGNATURES << 2);
  for (let lane = 0; lane < lanes; lane++) {
    if (alive != 0 && load<u8>(alive + <usize>lane) == 0) continue;
    const at = signatureCounts + (<usize>laneSignature(state, stride, lane) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  let total = 0;
  for (let k = 0; k < SIGNATURES; k++) {
    const at = signatureCounts + (<usize>k << 2);
    const count = load<i32>(at);
    store<i32>(at, total);
    total += count;
  }
  for (let lane = 0; lane < lanes; lane++) {
    if (alive != 0 && load<u8>(alive + <usize>lane) == 0) continue;
    const at = signatureCounts + (<usize>laneSignature(state, stride, lane) << 2);
    const position = load<i32>(at);
    store<i32>(order + (<usize>position << 2), lane);
    store<i32>(at, position + 1);
  }
  return total;
}
const ASLEEP_SIGNATURE: i32 = 1 << (BODY_COUNT * SLOTS_PER_BODY);
const SIGNATURES: i32 = ASLEEP_SIGNATURE + 1;
const signatureCounts = memory.data(SIGNATURES << 2);
let order: usize = 0; // i32 [orderCapacity], grown (rarely) to the largest lane count seen
let orderCapacity = 0;

/** Bit b·SLOTS_PER_BODY + s for each touching contact slot of the lane; asleep lanes apart. */
@inline function laneSignature(state: usize, stride: usize, lane: i32): i32 {
  if (get(state, stride, lane, S_AWAKE) == 0) return ASLEEP_SIGNATURE;
  let signature = 0;
  for (let b = 0; b < BODY_COUNT; b++) {
    for (let k = 0; k < SLOTS_PER_BODY; k++) {
      if (get(state, stride, lane, slotComponent(b, k, C_POINT_COUNT)) > 0) signature |= 1 << (b * SLOTS_PER_BODY + k);
    }
  }
  return signature;
}

/**
 * Steps every lane (lanes is a multiple of 4); lane i draws from its stream (rngKey[i],
 * rngCounter[i]), which advances by 2. The lanes are taken in groups of four lanes that touch
 * alike (orderLanes), up to BATCH_GROUPS groups per batch: Gymnasium's pre-step and the narrow
 * phase lane by lane, the island solve four worlds at a time (island4.ts, velocity iterations
 * interleaved over the batch's groups), then the broad phase and the reward lane by lane. Each
 * lane in flight has its LaneStep record (batchSteps). With `alive` (u8 per lane; 0 = every
 * lane) the lanes it marks 0 are left as they are.
 */
export function lunarStepLanes(lanes: i32, state: usize, params: usize, actions: usize, reward: usize, terminated: usize,
  rngKey: usize, rngCounter: usize, alive: usize = 0): void {
  const stride = <usize>lanes << 2;
  const count = orderLanes(lanes, state, stride, alive);
  for (let start = 0; start < count; start += BATCH_LANES) {
    const batchLanes = min(BATCH_LANES, count - start);
    const groups = (batchLanes + GROUP_LANES - 1) / GROUP_LANES;
    for (let j = 0; j < groups * GROUP_LANES; j++) {
      const lane = j < batchLanes ? load<i32>(order + (<usize>(start + j) << 2)) : -1;
      store<i32>(batchLaneIds + (<usize>j << 2), lane);
      store<u8>(batchSolved + <usize>j, 0);
      store<f32>(batchForceX + (<usize>j << 2), 0);
      store<f32>(batchForceY + (<usize>j << 2), 0);
      store<f32>(batchTorque + (<usize>j << 2), 0);
      clearManifolds(j);
      if (lane < 0) continue;
      const step = batchStep(j);
      discreteThrottles(step, load<i32>(actions + (<usize>lane << 2)));
      beforeWorldStep(state, stride, lane, params, step, load<u64>(rngKey + (<usize>lane << 3)), load<u64>(rngCounter + (<usize>lane << 3)), 0, 0);
      store<f32>(batchForceX + (<usize>j << 2), step.forceX);
      store<f32>(batchForceY + (<usize>j << 2), step.forceY);
      store<f32>(batchTorque + (<usize>j << 2), step.torque);
      if (get(state, stride, lane, S_AWAKE) != 0) {
        collideLane(state, stride, lane, j);
        saveStartPose(state, stride, lane, j);
        store<u8>(batchSolved + <usize>j, 1);
      }
    }
    for (let g = 0; g < groups; g++) {
      const o = <usize>(g * GROUP_LANES);
      prepareIsland4(g, state, stride, batchLaneIds + (o << 2), params + <usize>P_GRAVITY * stride,
        batchForceX + (o << 2), batchForceY + (o << 2), batchTorque + (o << 2), batchSolved + o);
    }
    solveVelocities4(groups);
    for (let g = 0; g < groups; g++) finishIsland4(g, state, stride);
    for (let j = 0; j < batchLanes; j++) {
      const lane = load<i32>(batchLaneIds + (<usize>j << 2));
      if (load<u8>(batchSolved + <usize>j)) synchronizeLane(state, stride, lane, startPose(j, 0), startPose(j, 1), startPose(j, 2));
      store<u8>(terminated + <usize>lane, <u8>afterWorldStep(state, stride, lane, batchStep(j), reward));
      const counterAt = rngCounter + (<usize>lane << 3);
      store<u64>(counterAt, load<u64>(counterAt) + STEP_DRAWS);
    }
  }
}
// The LaneStep of each position of a batch, and the lander forces island4 reads as f32x4 rows
// (16-byte aligned), with the lanes and which of them collided.
const batchSteps = memory.data(BATCH_LANES * <i32>offsetof<LaneStep>(), 16);
@inline function batchStep(j: i32): LaneStep { return changetype<LaneStep>(batchSteps + <usize>j * offsetof<LaneStep>()); }
const batchLaneIds = memory.data(BATCH_LANES << 2, 16);
const batchForceX = memory.data(BATCH_LANES << 2, 16);
const batchForceY = memory.data(BATCH_LANES << 2, 16);
const batchTorque = memory.data(BATCH_LANES << 2, 16);
const batchSolved = memory.data(BATCH_LANES, 16);

/**
 * The scalar reference of lunarStepLanes: every lane stepped alone with the scalar solver
 * (island.ts), lane after lane. Not exported by the module: assembly/__tests__/lunar_step.spec.ts
 * compares the two bit for bit.
 */
export function lunarStepLanesScalar(lanes: i32, state: usize, params: usize, actions: usize, reward: usize, terminated: usize,
  rngKey: usize, rngCounter: usize): void {
  const stride = <usize>lanes << 2;
  const step = scalarStep;
  for (let i = 0; i < lanes; i++) {
    const counterAt = rngCounter + (<usize>i << 3);
    const counter = load<u64>(counterAt);
    discreteThrottles(step, load<i32>(actions + (<usize>i << 2)));
    beforeWorldStep(state, stride, i, params, step, load<u64>(rngKey + (<usize>i << 3)), counter, 0, 0);
    worldStepScalar(state, stride, i, params, step);
    store<u8>(terminated + <usize>i, <u8>afterWorldStep(state, stride, i, step, reward));
    store<u64>(counterAt, counter + STEP_DRAWS);
  }
}
// The LaneStep of the scalar path (one lane at a time: lunarStepLanesScalar, reset's step(0)).
const scalarStep = changetype<LaneStep>(memory.data(<i32>offsetof<LaneStep>(), 8));

// ---- reset ---------------------------------------------------------------------------------

/**
 * reset() of lunar_lander.py for one lane: a new terrain, the lander and legs at their spawn poses
 * at rest, the joints fresh, the initial push, the wind indices, then the implicit step(0).
 * Uses RESET_DRAWS draws of stream `key` from `counter`. (The reward buffer is not touched.)
 */
export function lunarResetLane(lanes: i32, lane: i32, state: usize, params: usize, key: u64, counter: u64): void {
  const stride = <usize>lanes << 2;
  for (let k = 0; k < STATE_DIM; k++) set(state, stride, lane, k, 0);

  // Terrain: 12 heights in [0, H/2), the helipad chunks flattened, smoothed with Python's wrap
  // (h[−1] = h[11]); float64 like Python, rounded when Box2D takes the edge vertices.
  for (let i = 0; i < TERRAIN_DRAWS; i++) {
    store<f64>(terrainHeights + (<usize>i << 3), <f64>uniform01(key, counter + <u64>i) * (<f64>VIEWPORT_H / <f64>SCALE / 2.0));
  }
  for (let i = CHUNKS / 2 - 2; i <= CHUNKS / 2 + 2; i++) store<f64>(terrainHeights + (<usize>i << 3), HELIPAD_Y64);
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
  const step = scalarStep;
  discreteThrottles(step, ACTION_NOOP);
  beforeWorldStep(state, stride, lane, params, step, key, c + 4, pushX, pushY);
  worldStepScalar(state, stride, lane, params, step);
  const o = observation;
  observeLane(state, stride, lane, o);
  set(state, stride, lane, S_PREV_SHAPING, <f32>shaping(o));
}
const terrainHeights = memory.data(TERRAIN_DRAWS << 3); // f64 scratch

// ---- the state layout, for TypeScript (src/envs/lunar-lander.ts reads these exports) ----------
export const LUNAR_STATE_BODIES: i32 = S_BODIES; // lander, legs[0], legs[1]: cx, cy, angle, vx, vy, ω each
export const LUNAR_BODY_STRIDE: i32 = BODY_STRIDE;
export const LUNAR_STATE_SLEEP_TIME: i32 = S_SLEEP_TIME;
export const LUNAR_STATE_AWAKE: i32 = S_AWAKE;
export const LUNAR_STATE_JOINTS: i32 = S_JOINTS;
export const LUNAR_STATE_CONTACTS: i32 = S_CONTACTS;
export const LUNAR_SLOTS_PER_BODY: i32 = SLOTS_PER_BODY;
export const LUNAR_SLOT_STRIDE: i32 = SLOT_STRIDE;
export const LUNAR_SLOT_POINT_COUNT: i32 = C_POINT_COUNT;
export const LUNAR_STATE_GAME_OVER: i32 = S_GAME_OVER;
export const LUNAR_STATE_LEG_CONTACT: i32 = S_LEG_CONTACT;
export const LUNAR_STATE_PREV_SHAPING: i32 = S_PREV_SHAPING;
export const LUNAR_STATE_WIND_INDEX: i32 = S_WIND_INDEX;
export const LUNAR_STATE_TORQUE_INDEX: i32 = S_TORQUE_INDEX;
export const LUNAR_STATE_TERRAIN: i32 = S_TERRAIN;
export const LUNAR_RESET_DRAWS: i32 = <i32>RESET_DRAWS;
export const LUNAR_STEP_DRAWS: i32 = <i32>STEP_DRAWS;
/** The lander body's local centre of mass (m, body frame): origin = centre of mass − R(angle)·this. */
export const LUNAR_LANDER_CENTER_X: f32 = LANDER_SHAPE.centroidX;
export const LUNAR_LANDER_CENTER_Y: f32 = LANDER_SHAPE.centroidY;

// ---- what a picture of a world needs (src/envs/scene.ts reads these exports) -----------------
export const LUNAR_FPS: f32 = FPS;
/** The world Gymnasium shows: [0, W] × [0, H] (m), its viewport divided by SCALE. */
export const LUNAR_WORLD_WIDTH: f32 = W;
export const LUNAR_WORLD_HEIGHT: f32 = H;
export const LUNAR_CHUNKS: i32 = CHUNKS;
export const LUNAR_HELIPAD_X1: f32 = HELIPAD_X1;
export const LUNAR_HELIPAD_X2: f32 = HELIPAD_X2;
export const LUNAR_HELIPAD_Y: f32 = HELIPAD_Y;
export const LUNAR_BODY_COUNT: i32 = BODY_COUNT;
export const LUNAR_ACTION_NOOP: i32 = ACTION_NOOP;
export const LUNAR_ACTION_LEFT_ENGINE: i32 = ACTION_LEFT_ENGINE;
export const LUNAR_ACTION_MAIN_ENGINE: i32 = ACTION_MAIN_ENGINE;
export const LUNAR_ACTION_RIGHT_ENGINE: i32 = ACTION_RIGHT_ENGINE;

/** x (m) of terrain point i (the terrain's heights are the state's last CHUNKS components). */
export function lunarChunkX(i: i32): f32 {
  return chunkX(i);
}

/** Vertices of body b's polygon in its body frame (m, counter-clockwise, as the collider uses them). */
export function lunarShapeVertexCount(body: i32): i32 {
  return bodyShape(body).count;
}
export function lunarShapeVertex(body: i32, i: i32, coordinate: i32): f32 {
  const p = bodyShape(body);
  return coordinate == 0 ? vertexX(p, i) : vertexY(p, i);
}

/** The wind force (N) at wind index k for windPower (or the turbulence torque at torque index k for turbulencePower). */
export function lunarWindAt(index: f32, power: f32): f32 {
  return windAt(index, power);
}

const engineOut = memory.data(4 << 3, 8);
/**
 * An engine's firing without dispersion, for a lander origin (x, y) and angle: the address of four
 * f64 — the particle direction ox, oy (m; the lander's impulse is −power·(ox, oy)) and the world
 * point of the impulse — or 0 for noop.
 */
export function lunarEngineFiring(x: f64, y: f64, angle: f64, action: i32): usize {
  const tipX = Math.sin(angle), tipY = Math.cos(angle);
  let o: v128, pointX: f64, pointY: f64;
  if (action == ACTION_MAIN_ENGINE) {
    o = mainEngineOffset(tipX, tipY, 0, 0);
    pointX = x + f64x2.extract_lane(o, 0);
    pointY = y + f64x2.extract_lane(o, 1);
  } else if (action == ACTION_LEFT_ENGINE || action == ACTION_RIGHT_ENGINE) {
    o = sideEngineOffset(tipX, tipY, <f64>(action - ACTION_MAIN_ENGINE), 0, 0);
    const mount = sideEngineMount(tipX, tipY);
    pointX = x + f64x2.extract_lane(o, 0) + f64x2.extract_lane(mount, 0);
    pointY = y + f64x2.extract_lane(o, 1) + f64x2.extract_lane(mount, 1);
  } else {
    return 0;
  }
  store<f64>(engineOut, f64x2.extract_lane(o, 0));
  store<f64>(engineOut, f64x2.extract_lane(o, 1), 8);
  store<f64>(engineOut, pointX, 16);
  store<f64>(engineOut, pointY, 24);
  return engineOut;
}
