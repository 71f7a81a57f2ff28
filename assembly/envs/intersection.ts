// Intersection-v0: two-vehicle intersection crossing over lanes (SPEC.md §3, "proposed
// well-defined version" — our own definition, an assumption, not a reproduction of the paper).
//
// Two perpendicular single-lane roads cross in a square conflict zone of side w. Each car moves
// along its own road; its position p is its front bumper relative to the zone entry (p < 0
// approaching), so a car occupies the zone while 0 ≤ p ≤ w + L (L = car length).
// State per lane (Gymnasium-like order): [egoPosition, egoSpeed, otherPosition, otherSpeed] in m
// and m/s. Task per lane: [aggressiveness β ∈ [0, 1], otherInitialSpeed (m/s, the centre of the
// other car's reset speed draw)].
// Layout as in cartpole.ts: component k of lane i sits at base + (k·lanes + i)·4.
//
// The other driver (a rule policy conditioned on β) decides from the state before the step,
// simultaneously with the ego:
//   v_d = 8 + 6β (desired speed),  g = 3(1 − β) s (gap margin).
//   Arrival time at the zone t = min(max(−p, 0) / max(v, ARRIVAL_SPEED_FLOOR), ARRIVAL_TIME_CAP):
//   0 for a car at or past the entry; the cap for a (nearly) stopped one.
//   It yields when t_o > t_e − g (it would arrive second, or less than g seconds ahead of the ego),
//   unless: β = 1 (level-0 aggressive driver: never yields), its front is already at or past the
//   entry (p_o ≥ 0: it has entered and drives on), or the ego has left the zone (p_e > w + L).
//   Tracking: a = clip(0.8·(v_d − v), −3, 2).
//   A yielding driver brakes at −3 m/s² only when needed: it keeps the tracking acceleration for
//   this step if, after it, braking at 3 m/s² would still stop it before the entry
//   (p' + v'²/(2b) + bΔt²/8 ≤ 0, where bΔt²/8 bounds the extra distance of the discrete
//   trapezoidal update over the continuous v²/(2b) when the speed clips to 0 mid-step);
//   otherwise it brakes at −3. So a yielding car that can still stop never crosses the stop line
//   (braking preserves "distance ≥ discrete stopping distance"); one that already cannot stop
//   brakes at −3 anyway and enters. A yielding driver that has stopped waits until the ego has
//   left the zone: its own arrival time is then the cap (unless it stands within floor·cap = 2 cm
//   of the line), which is never ≤ t_e − g for g > 0; so an ego that stops too waits in vain until
//   it goes, or until truncation.
// Both cars: v' = clip(v + a·Δt, 0, 15); p' = p + ½(v + v')·Δt.
// Reward: −0.1 per step − 0.01·a_ego² (the commanded ego acceleration), +10 and terminated when
// the ego's rear leaves the zone (p_e' > w + L), −100 and terminated when both cars occupy the
// zone after the step (checked at the sample times). Truncation at 100 steps is the VecEnv's.

import { uniform } from '../rng';
import { maskToBytes4 } from '../simd_math';

// Geometry (m).
export const ZONE_WIDTH: f32 = 4.0; // w: side of the square conflict zone
export const VEHICLE_LENGTH: f32 = 5.0; // L
// Dynamics.
export const DT_SECONDS: f32 = 0.2;
export const MAX_SPEED: f32 = 15.0; // m/s; speeds are clipped to [0, MAX_SPEED]
export const EGO_ACCEL_STEP: f32 = 2.0; // m/s²: action i → (i − 2)·2 ∈ {−4, −2, 0, +2, +4}
// The other driver.
export const BASE_DESIRED_SPEED: f32 = 8.0; // m/s at β = 0
export const DESIRED_SPEED_PER_AGGRESSIVENESS: f32 = 6.0; // v_d = 8 + 6β
export const MAX_GAP_MARGIN_SECONDS: f32 = 3.0; // g = 3(1 − β)
export const COMFORT_DECEL: f32 = 3.0; // m/s²: the yielding brake and the tracking controller's lower limit
export const TRACKING_MAX_ACCEL: f32 = 2.0; // m/s²
export const TRACKING_GAIN: f32 = 0.8; // 1/s
export const ARRIVAL_TIME_CAP_SECONDS: f32 = 20.0; // the episode's length (100 steps × 0.2 s)
export const ARRIVAL_SPEED_FLOOR: f32 = 0.001; // m/s: below this a car counts as stopped
// Reset.
export const RESET_POSITION_LOW: f32 = -45.0;
export const RESET_POSITION_HIGH: f32 = -30.0;
export const INITIAL_SPEED_LOW: f32 = 8.0;
export const INITIAL_SPEED_HIGH: f32 = 12.0;
// Reward.
export const STEP_PENALTY: f32 = 0.1;
export const COMFORT_PENALTY: f32 = 0.01; // per (m/s²)²
export const SUCCESS_REWARD: f32 = 10.0;
export const COLLISION_PENALTY: f32 = 100.0;
// Observation scale of positions (speeds are divided by MAX_SPEED).
export const POSITION_OBS_SCALE: f32 = 50.0;

export const MAX_EPISODE_STEPS: i32 = 100; // 20 s
export const STATE_DIM: i32 = 4; // egoPosition, egoSpeed, otherPosition, otherSpeed
// State components: front bumpers relative to the zone entry (m), speeds (m/s).
export const STATE_EGO_POSITION: i32 = 0;
export const STATE_EGO_SPEED: i32 = 1;
export const STATE_OTHER_POSITION: i32 = 2;
export const STATE_OTHER_SPEED: i32 = 3;
export const OBS_DIM: i32 = 4;
export const PARAM_DIM: i32 = 2; // aggressiveness, otherInitialSpeed
export const NUM_ACTIONS: i32 = 5;
export const RESET_DRAWS: u64 = 4;

export const DEFAULT_AGGRESSIVENESS: f32 = 0.5; // the medium task
export const DEFAULT_OTHER_INITIAL_SPEED: f32 = 0.5 * (INITIAL_SPEED_LOW + INITIAL_SPEED_HIGH);

// Derived once from the constants above.
const ZONE_EXIT: f32 = ZONE_WIDTH + VEHICLE_LENGTH; // a car occupies the zone while 0 ≤ p ≤ w + L
const CENTER_ACTION: i32 = (NUM_ACTIONS - 1) / 2;
const HALF_DT: f32 = 0.5 * DT_SECONDS;
const INV_TWO_COMFORT_DECEL: f32 = 1.0 / (2.0 * COMFORT_DECEL);
// Worst-case extra distance of the discrete braking sequence over v²/(2b): max over r of r·Δt/2 − r²/(2b).
const BRAKE_OVERSHOOT: f32 = COMFORT_DECEL * DT_SECONDS * DT_SECONDS / 8.0;
const INITIAL_SPEED_HALF_WIDTH: f32 = 0.5 * (INITIAL_SPEED_HIGH - INITIAL_SPEED_LOW);

export function intersectionDefaultParam(index: i32): f32 {
  return index == 0 ? DEFAULT_AGGRESSIVENESS : DEFAULT_OTHER_INITIAL_SPEED;
}

// ---- f32x4 helpers ---------------------------------------------------------------------------

@inline function clamp4(x: v128, lo: v128, hi: v128): v128 {
  return f32x4.min(f32x4.max(x, lo), hi);
}

/** v' = clip(v + aΔt, 0, vmax) */
@inline function nextSpeed4(v: v128, a: v128): v128 {
  return clamp4(f32x4.add(v, f32x4.mul(a, f32x4.splat(DT_SECONDS))), f32x4.splat(0), f32x4.splat(MAX_SPEED));
}

/** p' = p + ½(v + v')Δt */
@inline function nextPosition4(p: v128, v: v128, vNext: v128): v128 {
  return f32x4.add(p, f32x4.mul(f32x4.add(v, vNext), f32x4.splat(HALF_DT)));
}

/** Arrival time at the zone entry, capped: min(max(−p, 0) / max(v, floor), cap). */
@inline function arrivalTime4(p: v128, v: v128): v128 {
  const distance = f32x4.max(f32x4.neg(p), f32x4.splat(0));
  return f32x4.min(f32x4.div(distance, f32x4.max(v, f32x4.splat(ARRIVAL_SPEED_FLOOR))), f32x4.splat(ARRIVAL_TIME_CAP_SECONDS));
}

@inline function inZone4(p: v128): v128 {
  return v128.and(f32x4.ge(p, f32x4.splat(0)), f32x4.le(p, f32x4.splat(ZONE_EXIT)));
}

/**
 * One step of every lane (lanes is a multiple of 4): the other driver's rule, both cars'
 * kinematics, reward and termination, as in the header. Branch-free: the yield decision and the
 * outcomes are lane masks.
 */
export function intersectionStepLanes(lanes: i32, state: usize, params: usize, actions: usize, reward: usize, terminated: usize): void {
  const stride = <usize>lanes << 2;
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const comfortBrake = f32x4.splat(-COMFORT_DECEL);
  for (let i = 0; i < lanes; i += 4) {
    const off = <usize>i << 2;
    const egoP = v128.load(state + <usize>STATE_EGO_POSITION * stride + off);
    const egoV = v128.load(state + <usize>STATE_EGO_SPEED * stride + off);
    const otherP = v128.load(state + <usize>STATE_OTHER_POSITION * stride + off);
    const otherV = v128.load(state + <usize>STATE_OTHER_SPEED * stride + off);
    const beta = v128.load(params + off);

    // Ego: action i → (i − 2)·2 m/s².
    const actionIndex = f32x4.convert_i32x4_s(i32x4.sub(v128.load(actions + off), i32x4.splat(CENTER_ACTION)));
    const egoA = f32x4.mul(actionIndex, f32x4.splat(EGO_ACCEL_STEP));

    // Other driver: v_d = 8 + 6β, g = 3(1 − β), tracking a = clip(0.8(v_d − v), −3, 2).
    const desiredSpeed = f32x4.add(f32x4.splat(BASE_DESIRED_SPEED), f32x4.mul(beta, f32x4.splat(DESIRED_SPEED_PER_AGGRESSIVENESS)));
    const gap = f32x4.mul(f32x4.sub(one, beta), f32x4.splat(MAX_GAP_MARGIN_SECONDS));
    const trackA = clamp4(f32x4.mul(f32x4.splat(TRACKING_GAIN), f32x4.sub(desiredSpeed, otherV)),
      comfortBrake, f32x4.splat(TRACKING_MAX_ACCEL));
    // Yield when t_o > t_e − g, unless β = 1, the other has entered, or the ego has left the zone.
    const wouldYield = f32x4.gt(arrivalTime4(otherP, otherV), f32x4.sub(arrivalTime4(egoP, egoV), gap));
    const exempt = v128.or(v128.or(
      f32x4.ge(beta, one),
      f32x4.ge(otherP, zero)),
      f32x4.gt(egoP, f32x4.splat(ZONE_EXIT)));
    // Keep tracking while, after this step, braking at 3 m/s² would still stop before the entry.
    const trackV = nextSpeed4(otherV, trackA);
    const trackP = nextPosition4(otherP, otherV, trackV);
    const stopEnd = f32x4.add(f32x4.add(trackP, f32x4.mul(f32x4.mul(trackV, trackV), f32x4.splat(INV_TWO_COMFORT_DECEL))),
      f32x4.splat(BRAKE_OVERSHOOT));
    const mustBrake = v128.andnot(v128.andnot(wouldYield, exempt), f32x4.le(stopEnd, zero));
    const otherA = v128.bitselect(comfortBrake, trackA, mustBrake);

    // Kinematics of both cars.
    const egoVNext = nextSpeed4(egoV, egoA);
    const egoPNext = nextPosition4(egoP, egoV, egoVNext);
    const otherVNext = nextSpeed4(otherV, otherA);
    const otherPNext = nextPosition4(otherP, otherV, otherVNext);
    v128.store(state + <usize>STATE_EGO_POSITION * stride + off, egoPNext);
    v128.store(state + <usize>STATE_EGO_SPEED * stride + off, egoVNext);
    v128.store(state + <usize>STATE_OTHER_POSITION * stride + off, otherPNext);
    v128.store(state + <usize>STATE_OTHER_SPEED * stride + off, otherVNext);

    // Outcomes on the new positions; success and collision exclude each other (p_e' > w + L).
    const success = f32x4.gt(egoPNext, f32x4.splat(ZONE_EXIT));
    const collision = v128.and(inZone4(egoPNext), inZone4(otherPNext));
    let r = f32x4.sub(f32x4.splat(-STEP_PENALTY), f32x4.mul(f32x4.splat(COMFORT_PENALTY), f32x4.mul(egoA, egoA)));
    r = f32x4.add(r, v128.and(success, f32x4.splat(SUCCESS_REWARD)));
    r = f32x4.sub(r, v128.and(collision, f32x4.splat(COLLISION_PENALTY)));
    v128.store(reward + off, r);
    // terminated is one byte per lane (1 or 0)
    const ended = v128.or(success, collision);
    store<u32>(terminated + <usize>i, maskToBytes4(ended));
  }
}

// ---- scalar reference ------------------------------------------------------------------------

@inline function clampf(x: f32, lo: f32, hi: f32): f32 {
  return Mathf.min(Mathf.max(x, lo), hi);
}

@inline function arrivalTime(p: f32, v: f32): f32 {
  return Mathf.min(Mathf.max(-p, 0) / Mathf.max(v, ARRIVAL_SPEED_FLOOR), ARRIVAL_TIME_CAP_SECONDS);
}

@inline function inZone(p: f32): bool {
  return p >= 0 && p <= ZONE_EXIT;
}

/**
 * Scalar reference of intersectionStepLanes for one lane, written with branches (tests compare
 * the two lane by lane; benches time both). Writes the lane's reward; returns terminated (0/1).
 */
export function intersectionStepScalar(lanes: i32, lane: i32, state: usize, params: usize, action: i32, reward: usize): i32 {
  const stride = <usize>lanes << 2;
  const off = <usize>lane << 2;
  const egoP = load<f32>(state + <usize>STATE_EGO_POSITION * stride + off), egoV = load<f32>(state + <usize>STATE_EGO_SPEED * stride + off);
  const otherP = load<f32>(state + <usize>STATE_OTHER_POSITION * stride + off), otherV = load<f32>(state + <usize>STATE_OTHER_SPEED * stride + off);
  const beta = load<f32>(params + off);

  const egoA = <f32>(action - CENTER_ACTION) * EGO_ACCEL_STEP;

  const desiredSpeed = BASE_DESIRED_SPEED + beta * DESIRED_SPEED_PER_AGGRESSIVENESS;
  const gap = (<f32>1 - beta) * MAX_GAP_MARGIN_SECONDS;
  let otherA = clampf(TRACKING_GAIN * (desiredSpeed - otherV), -COMFORT_DECEL, TRACKING_MAX_ACCEL);
  const yields = beta < 1 && otherP < 0 && egoP <= ZONE_EXIT
    && arrivalTime(otherP, otherV) > arrivalTime(egoP, egoV) - gap;
  if (yields) {
    const trackV = clampf(otherV + otherA * DT_SECONDS, 0, MAX_SPEED);
    const trackP = otherP + (otherV + trackV) * HALF_DT;
    if (trackP + trackV * trackV * INV_TWO_COMFORT_DECEL + BRAKE_OVERSHOOT > 0) otherA = -COMFORT_DECEL;
  }

  const egoVNext = clampf(egoV + egoA * DT_SECONDS, 0, MAX_SPEED);
  const egoPNext = egoP + (egoV + egoVNext) * HALF_DT;
  const otherVNext = clampf(otherV + otherA * DT_SECONDS, 0, MAX_SPEED);
  const otherPNext = otherP + (otherV + otherVNext) * HALF_DT;
  store<f32>(state + <usize>STATE_EGO_POSITION * stride + off, egoPNext);
  store<f32>(state + <usize>STATE_EGO_SPEED * stride + off, egoVNext);
  store<f32>(state + <usize>STATE_OTHER_POSITION * stride + off, otherPNext);
  store<f32>(state + <usize>STATE_OTHER_SPEED * stride + off, otherVNext);

  const success = egoPNext > ZONE_EXIT;
  const collision = inZone(egoPNext) && inZone(otherPNext);
  let r: f32 = -STEP_PENALTY - COMFORT_PENALTY * (egoA * egoA);
  if (success) r += SUCCESS_REWARD;
  if (collision) r -= COLLISION_PENALTY;
  store<f32>(reward + off, r);
  return <i32>(success || collision);
}

/**
 * Reset: p_e ~ U(−45, −30), v_e ~ U(8, 12), p_o ~ U(−45, −30), v_o ~ U(c − 2, c + 2) with c the
 * task's otherInitialSpeed (c = 10 gives the U(8, 12) of SPEC.md). Draw k fills state component k.
 */
export function intersectionResetLane(lanes: i32, lane: i32, state: usize, params: usize, key: u64, counter: u64): void {
  const stride = <usize>lanes << 2;
  const off = <usize>lane << 2;
  const otherSpeedCentre = load<f32>(params + stride + off);
  store<f32>(state + <usize>STATE_EGO_POSITION * stride + off, uniform(key, counter, RESET_POSITION_LOW, RESET_POSITION_HIGH));
  store<f32>(state + <usize>STATE_EGO_SPEED * stride + off, uniform(key, counter + 1, INITIAL_SPEED_LOW, INITIAL_SPEED_HIGH));
  store<f32>(state + <usize>STATE_OTHER_POSITION * stride + off, uniform(key, counter + 2, RESET_POSITION_LOW, RESET_POSITION_HIGH));
  store<f32>(state + <usize>STATE_OTHER_SPEED * stride + off, uniform(key, counter + 3,
    otherSpeedCentre - INITIAL_SPEED_HALF_WIDTH, otherSpeedCentre + INITIAL_SPEED_HALF_WIDTH));
}

/**
 * Observation [p_e/50, v_e/15, p_o/50, v_o/15], one row per env. Whole groups of 4 envs are
 * scaled as f32x4 and transposed from lanes (structure-of-arrays) to rows with shuffles; the
 * remaining envs one by one.
 */
export function intersectionObserve(numEnvs: i32, lanes: i32, state: usize, obs: usize): void {
  const stride = <usize>lanes << 2;
  const positionScale = f32x4.splat(POSITION_OBS_SCALE);
  const speedScale = f32x4.splat(MAX_SPEED);
  const whole = numEnvs & ~3;
  for (let i = 0; i < whole; i += 4) {
    const off = <usize>i << 2;
    const egoP = f32x4.div(v128.load(state + <usize>STATE_EGO_POSITION * stride + off), positionScale);
    const egoV = f32x4.div(v128.load(state + <usize>STATE_EGO_SPEED * stride + off), speedScale);
    const otherP = f32x4.div(v128.load(state + <usize>STATE_OTHER_POSITION * stride + off), positionScale);
    const otherV = f32x4.div(v128.load(state + <usize>STATE_OTHER_SPEED * stride + off), speedScale);
    // 4×4 transpose: pairs of (p_e, v_e) and (p_o, v_o) per env, then whole rows.
    const ego01 = f32x4.shuffle(egoP, egoV, 0, 4, 1, 5);
    const ego23 = f32x4.shuffle(egoP, egoV, 2, 6, 3, 7);
    const other01 = f32x4.shuffle(otherP, otherV, 0, 4, 1, 5);
    const other23 = f32x4.shuffle(otherP, otherV, 2, 6, 3, 7);
    const row = obs + (<usize>i * OBS_DIM << 2);
    v128.store(row, f32x4.shuffle(ego01, other01, 0, 1, 4, 5));
    v128.store(row, f32x4.shuffle(ego01, other01, 2, 3, 6, 7), 16);
    v128.store(row, f32x4.shuffle(ego23, other23, 0, 1, 4, 5), 32);
    v128.store(row, f32x4.shuffle(ego23, other23, 2, 3, 6, 7), 48);
  }
  for (let i = whole; i < numEnvs; i++) {
    const off = <usize>i << 2;
    const row = obs + (<usize>i * OBS_DIM << 2);
    store<f32>(row, load<f32>(state + <usize>STATE_EGO_POSITION * stride + off) / POSITION_OBS_SCALE);
    store<f32>(row + 4, load<f32>(state + <usize>STATE_EGO_SPEED * stride + off) / MAX_SPEED);
    store<f32>(row + 8, load<f32>(state + <usize>STATE_OTHER_POSITION * stride + off) / POSITION_OBS_SCALE);
    store<f32>(row + 12, load<f32>(state + <usize>STATE_OTHER_SPEED * stride + off) / MAX_SPEED);
  }
}
