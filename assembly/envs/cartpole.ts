// CartPole-v1 over lanes (Gymnasium classic_control/cartpole.py, explicit Euler).
// State and task parameters are structure-of-arrays: component k of lane i sits at
// base + (k·lanes + i)·4. Derived quantities (total mass, pole mass × half length) are computed
// from the lane's task at every step, never stored beside it, so changing one parameter cannot
// leave a stale total (the bug of RLlib's CartPoleMassEnv, ray#14090).

import { sincos4, cosOut, maskToBytes4 } from '../simd_math';
import { uniform } from '../rng';

// Gymnasium's defaults: the task parameters in paramNames order.
export const DEFAULT_GRAVITY: f32 = 9.8;
export const DEFAULT_MASS_CART: f32 = 1.0;
export const DEFAULT_MASS_POLE: f32 = 0.1;
export const DEFAULT_HALF_LENGTH: f32 = 0.5; // Gymnasium's `length` is half the pole
export const DEFAULT_FORCE_MAG: f32 = 10.0;

export const TAU_SECONDS: f32 = 0.02;
export const THETA_THRESHOLD_RADIANS: f32 = <f32>(12.0 * 2.0 * Math.PI / 360.0);
export const X_THRESHOLD: f32 = 2.4;
export const RESET_BOUND: f32 = 0.05;
export const MAX_EPISODE_STEPS: i32 = 500; // TimeLimit of CartPole-v1

export const STATE_DIM: i32 = 4; // x, xDot, theta, thetaDot
// State components (Gymnasium's order; the observation is the state itself).
export const STATE_X: i32 = 0; // cart position (m)
export const STATE_X_DOT: i32 = 1; // cart velocity (m/s)
export const STATE_THETA: i32 = 2; // pole angle (rad), 0 upright, positive leaning towards +x
export const STATE_THETA_DOT: i32 = 3; // pole angular velocity (rad/s)
export const OBS_DIM: i32 = 4;
export const PARAM_DIM: i32 = 5; // gravity, massCart, massPole, halfLength, forceMag
export const NUM_ACTIONS: i32 = 2;
export const RESET_DRAWS: u64 = 4;

// CartPoleFlip-v0 [I] (a task family that needs adaptation, README "Task families that need
// adaptation"): CartPole-v1 with a sixth task parameter, forceDirection d, hidden from the
// observation. The push of action a is F_a = s·(a == 1 ? +F : −F) with s = +1 when d >= 0 and
// s = −1 when d < 0: on a task with d < 0 every action pushes the other way, so the action that
// balances the pole in a state is the opposite one. Everything else (dynamics, reset, observation,
// termination, reward, 500-step limit) is CartPole-v1's. Drawn uniformly from d ∈ [−1, 1], half of
// the tasks are flipped; the sign is the task, not its magnitude.
export const FLIP_PARAM_DIM: i32 = 6; // CartPole-v1's five, then forceDirection
export const DEFAULT_FORCE_DIRECTION: f32 = 1.0;

const FOUR_THIRDS: f32 = <f32>(4.0 / 3.0);

export function cartpoleFlipDefaultParam(index: i32): f32 {
  return index == 5 ? DEFAULT_FORCE_DIRECTION : cartpoleDefaultParam(index);
}

export function cartpoleDefaultParam(index: i32): f32 {
  switch (index) {
    case 0: return DEFAULT_GRAVITY;
    case 1: return DEFAULT_MASS_CART;
    case 2: return DEFAULT_MASS_POLE;
    case 3: return DEFAULT_HALF_LENGTH;
    default: return DEFAULT_FORCE_MAG;
  }
}

/**
 * One explicit-Euler step of every lane (lanes is a multiple of 4).
 *   temp   = (F_a + m_p·l·θ̇²·sinθ) / M
 *   θ̈      = (g·sinθ − cosθ·temp) / (l·(4/3 − m_p·cos²θ / M))
 *   ẍ      = temp − m_p·l·θ̈·cosθ / M
 *   x ← x + τ·ẋ;  ẋ ← ẋ + τ·ẍ;  θ ← θ + τ·θ̇;  θ̇ ← θ̇ + τ·θ̈   (positions use the old velocities)
 * Reward is +1 on every step, the terminating one included; terminated when |x| > 2.4 or
 * |θ| > 12° (strict).
 */
export function cartpoleStepLanes(lanes: i32, state: usize, params: usize, actions: usize, reward: usize, terminated: usize): void {
  cartpoleStep(lanes, state, params, actions, reward, terminated, false);
}

/** CartPoleFlip-v0's step: cartpoleStepLanes with the push negated on the lanes whose forceDirection < 0. */
export function cartpoleFlipStepLanes(lanes: i32, state: usize, params: usize, actions: usize, reward: usize, terminated: usize): void {
  cartpoleStep(lanes, state, params, actions, reward, terminated, true);
}

@inline function cartpoleStep(lanes: i32, state: usize, params: usize, actions: usize, reward: usize, terminated: usize, flip: bool): void {
  const stride = <usize>lanes << 2;
  const tau = f32x4.splat(TAU_SECONDS);
  const one = f32x4.splat(1.0);
  for (let i = 0; i < lanes; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(state + <usize>STATE_X * stride + off);
    const xDot = v128.load(state + <usize>STATE_X_DOT * stride + off);
    const theta = v128.load(state + <usize>STATE_THETA * stride + off);
    const thetaDot = v128.load(state + <usize>STATE_THETA_DOT * stride + off);
    const gravity = v128.load(params + off);
    const massCart = v128.load(params + stride + off);
    const massPole = v128.load(params + 2 * stride + off);
    const halfLength = v128.load(params + 3 * stride + off);
    const forceMag = v128.load(params + 4 * stride + off);
    const totalMass = f32x4.add(massCart, massPole);
    const poleMassLength = f32x4.mul(massPole, halfLength);
    // Action 1 pushes right (+F), action 0 left (−F).
    const pushRight = i32x4.ne(v128.load(actions + off), i32x4.splat(0));
    let force = v128.bitselect(forceMag, f32x4.neg(forceMag), pushRight);
    if (flip) {
      const flipped = f32x4.lt(v128.load(params + 5 * stride + off), f32x4.splat(0));
      force = v128.bitselect(f32x4.neg(force), force, flipped);
    }

    const sinTheta = sincos4(theta);
    const cosTheta = cosOut;
    const temp = f32x4.div(
      f32x4.add(force, f32x4.mul(f32x4.mul(poleMassLength, f32x4.mul(thetaDot, thetaDot)), sinTheta)),
      totalMass);
    const thetaAcc = f32x4.div(
      f32x4.sub(f32x4.mul(gravity, sinTheta), f32x4.mul(cosTheta, temp)),
      f32x4.mul(halfLength, f32x4.sub(f32x4.splat(FOUR_THIRDS),
        f32x4.div(f32x4.mul(massPole, f32x4.mul(cosTheta, cosTheta)), totalMass))));
    const xAcc = f32x4.sub(temp, f32x4.div(f32x4.mul(f32x4.mul(poleMassLength, thetaAcc), cosTheta), totalMass));

    const xNew = f32x4.add(x, f32x4.mul(tau, xDot));
    const thetaNew = f32x4.add(theta, f32x4.mul(tau, thetaDot));
    v128.store(state + <usize>STATE_X * stride + off, xNew);
    v128.store(state + <usize>STATE_X_DOT * stride + off, f32x4.add(xDot, f32x4.mul(tau, xAcc)));
    v128.store(state + <usize>STATE_THETA * stride + off, thetaNew);
    v128.store(state + <usize>STATE_THETA_DOT * stride + off, f32x4.add(thetaDot, f32x4.mul(tau, thetaAcc)));

    const outOfBounds = v128.or(
      f32x4.gt(f32x4.abs(xNew), f32x4.splat(X_THRESHOLD)),
      f32x4.gt(f32x4.abs(thetaNew), f32x4.splat(THETA_THRESHOLD_RADIANS)));
    v128.store(reward + off, one);
    // terminated is one byte per lane (1 or 0)
    store<u32>(terminated + <usize>i, maskToBytes4(outOfBounds));
  }
}

/** Scalar reference of cartpoleStepLanes for one lane (tests compare the two; benches time both). */
export function cartpoleStepScalar(lanes: i32, lane: i32, state: usize, params: usize, action: i32): i32 {
  const stride = <usize>lanes << 2;
  const off = <usize>lane << 2;
  const x = load<f32>(state + <usize>STATE_X * stride + off), xDot = load<f32>(state + <usize>STATE_X_DOT * stride + off);
  const theta = load<f32>(state + <usize>STATE_THETA * stride + off), thetaDot = load<f32>(state + <usize>STATE_THETA_DOT * stride + off);
  const gravity = load<f32>(params + off), massCart = load<f32>(params + stride + off);
  const massPole = load<f32>(params + 2 * stride + off), halfLength = load<f32>(params + 3 * stride + off);
  const forceMag = load<f32>(params + 4 * stride + off);
  const totalMass = massCart + massPole;
  const poleMassLength = massPole * halfLength;
  const force = action != 0 ? forceMag : -forceMag;
  const sinTheta = Mathf.sin(theta), cosTheta = Mathf.cos(theta);
  const temp = (force + poleMassLength * thetaDot * thetaDot * sinTheta) / totalMass;
  const thetaAcc = (gravity * sinTheta - cosTheta * temp) / (halfLength * (FOUR_THIRDS - massPole * cosTheta * cosTheta / totalMass));
  const xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass;
  const xNew = x + TAU_SECONDS * xDot, thetaNew = theta + TAU_SECONDS * thetaDot;
  store<f32>(state + <usize>STATE_X * stride + off, xNew);
  store<f32>(state + <usize>STATE_X_DOT * stride + off, xDot + TAU_SECONDS * xAcc);
  store<f32>(state + <usize>STATE_THETA * stride + off, thetaNew);
  store<f32>(state + <usize>STATE_THETA_DOT * stride + off, thetaDot + TAU_SECONDS * thetaAcc);
  return <i32>(Mathf.abs(xNew) > X_THRESHOLD || Mathf.abs(thetaNew) > THETA_THRESHOLD_RADIANS);
}

/** Gymnasium's reset: every state component ~ U(−0.05, 0.05). Uses RESET_DRAWS draws. */
export function cartpoleResetLane(lanes: i32, lane: i32, state: usize, key: u64, counter: u64): void {
  const stride = <usize>lanes << 2;
  const off = <usize>lane << 2;
  for (let k = 0; k < STATE_DIM; k++) {
    store<f32>(state + <usize>k * stride + off, uniform(key, counter + <u64>k, -RESET_BOUND, RESET_BOUND));
  }
}

/**
 * The observation is the state itself: [x, xDot, theta, thetaDot], one row per env. Four lanes
 * at a time the four state vectors are transposed into four rows (OBS_DIM = 4 = SIMD width).
 */
export function cartpoleObserve(numEnvs: i32, lanes: i32, state: usize, obs: usize): void {
  const stride = <usize>lanes << 2;
  let i = 0;
  for (; i + 4 <= numEnvs; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(state + <usize>STATE_X * stride + off), xDot = v128.load(state + <usize>STATE_X_DOT * stride + off);
    const theta = v128.load(state + <usize>STATE_THETA * stride + off), thetaDot = v128.load(state + <usize>STATE_THETA_DOT * stride + off);
    const lo01 = v128.shuffle<f32>(x, xDot, 0, 4, 1, 5);          // x0 v0 x1 v1
    const hi01 = v128.shuffle<f32>(x, xDot, 2, 6, 3, 7);          // x2 v2 x3 v3
    const lo23 = v128.shuffle<f32>(theta, thetaDot, 0, 4, 1, 5);  // θ0 ω0 θ1 ω1
    const hi23 = v128.shuffle<f32>(theta, thetaDot, 2, 6, 3, 7);  // θ2 ω2 θ3 ω3
    const row = obs + (<usize>i * OBS_DIM << 2);
    v128.store(row, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
    v128.store(row + 16, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
    v128.store(row + 32, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
    v128.store(row + 48, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
  }
  for (; i < numEnvs; i++) {
    const off = <usize>i << 2;
    const row = obs + (<usize>i * OBS_DIM << 2);
    for (let k = 0; k < OBS_DIM; k++) {
      store<f32>(row + (<usize>k << 2), load<f32>(state + <usize>k * stride + off));
    }
  }
}
