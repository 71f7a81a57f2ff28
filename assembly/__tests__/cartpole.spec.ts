// The f32x4 CartPole kernel (cartpoleStepLanes) against its scalar reference (cartpoleStepScalar)
// lane by lane, and the one-byte-per-lane termination flags it writes. The two differ only in
// sin/cos (vector polynomial vs Mathf, each within 1 ulp of the truth), so they agree to a few
// float32 ulp of the quantities involved.
import { alloc, free } from '../memory';
import {
  cartpoleStepLanes, cartpoleStepScalar, STATE_DIM, PARAM_DIM, X_THRESHOLD, THETA_THRESHOLD_RADIANS, TAU_SECONDS,
} from '../envs/cartpole';
import { streamKey, uniform, PURPOSE_ENV } from '../rng';

const LANES: i32 = 64;
const GUARD_BYTES: i32 = 16;
const GUARD: u8 = 0xab;
const ULP: f64 = 1.1920928955078125e-7; // 2^-23, float32 spacing in [1, 2)

/** Buffers in the kernel's layout: component k of lane i at base + (k·lanes + i)·4. */
class Buffers {
  simdState: usize = alloc(<usize>(STATE_DIM * LANES) << 2);
  scalarState: usize = alloc(<usize>(STATE_DIM * LANES) << 2);
  params: usize = alloc(<usize>(PARAM_DIM * LANES) << 2);
  actions: usize = alloc(<usize>LANES << 2);
  reward: usize = alloc(<usize>LANES << 2);
  terminated: usize = alloc(<usize>(LANES + GUARD_BYTES));

  dispose(): void {
    free(this.simdState); free(this.scalarState); free(this.params);
    free(this.actions); free(this.reward); free(this.terminated);
  }
}

@inline function at(base: usize, k: i32, lane: i32): usize {
  return base + (<usize>(k * LANES + lane) << 2);
}

function nextUp(x: f32): f32 {
  return reinterpret<f32>(reinterpret<u32>(x) + 1);
}

/** Sentinels: terminated bytes must be overwritten with 0/1, the guard bytes after them never. */
function fillFlagSentinels(b: Buffers): void {
  memory.fill(b.terminated, 0xaa, <usize>LANES);
  memory.fill(b.terminated + <usize>LANES, GUARD, <usize>GUARD_BYTES);
}

function expectGuardIntact(b: Buffers): void {
  for (let j = 0; j < GUARD_BYTES; j++) expect(load<u8>(b.terminated + <usize>(LANES + j))).toBe(GUARD);
}

/** Random state, task and action per lane: state ranges straddle both thresholds. */
function randomise(b: Buffers, round: i32, wideAngles: bool): void {
  const key = streamKey(2024, PURPOSE_ENV, <u32>round, 0);
  let n: u64 = 0;
  const thetaBound: f32 = wideAngles ? 4.0 : 0.3;
  for (let i = 0; i < LANES; i++) {
    store<f32>(at(b.simdState, 0, i), uniform(key, n++, -2.6, 2.6));
    store<f32>(at(b.simdState, 1, i), uniform(key, n++, -3.0, 3.0));
    store<f32>(at(b.simdState, 2, i), uniform(key, n++, -thetaBound, thetaBound));
    store<f32>(at(b.simdState, 3, i), uniform(key, n++, -4.0, 4.0));
    store<f32>(at(b.params, 0, i), uniform(key, n++, 1.0, 25.0));   // gravity
    store<f32>(at(b.params, 1, i), uniform(key, n++, 0.1, 5.0));    // massCart
    store<f32>(at(b.params, 2, i), uniform(key, n++, 0.01, 2.0));   // massPole
    store<f32>(at(b.params, 3, i), uniform(key, n++, 0.05, 2.0));   // halfLength
    store<f32>(at(b.params, 4, i), uniform(key, n++, 1.0, 40.0));   // forceMag
    store<i32>(b.actions + (<usize>i << 2), uniform(key, n++, 0.0, 1.0) < 0.5 ? 0 : 1);
  }
  memory.copy(b.scalarState, b.simdState, <usize>(STATE_DIM * LANES) << 2);
}

/**
 * The size of the rate that the step adds (times tau) to component k of a lane: the sum of the
 * magnitudes of the terms of the equation, in float64, from the lane's old state and task.
 */
function rateMagnitude(b: Buffers, old: StaticArray<f32>, k: i32, lane: i32): f64 {
  const xDot = <f64>old[LANES + lane], theta = <f64>old[2 * LANES + lane], thetaDot = <f64>old[3 * LANES + lane];
  if (k == 0) return Math.abs(xDot);
  if (k == 2) return Math.abs(thetaDot);
  const gravity = <f64>load<f32>(at(b.params, 0, lane)), massCart = <f64>load<f32>(at(b.params, 1, lane));
  const massPole = <f64>load<f32>(at(b.params, 2, lane)), halfLength = <f64>load<f32>(at(b.params, 3, lane));
  const forceMag = <f64>load<f32>(at(b.params, 4, lane));
  const totalMass = massCart + massPole, poleMassLength = massPole * halfLength;
  const sin = Math.abs(Math.sin(theta)), cos = Math.abs(Math.cos(theta));
  const temp = (forceMag + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
  const thetaAcc = (gravity * sin + cos * temp) / (halfLength * (4.0 / 3.0 - massPole * cos * cos / totalMass));
  if (k == 3) return thetaAcc;
  return temp + poleMassLength * thetaAcc * cos / totalMass;
}

function terminatedByState(state: usize, lane: i32): bool {
  return Mathf.abs(load<f32>(at(state, 0, lane))) > X_THRESHOLD || Mathf.abs(load<f32>(at(state, 2, lane))) > THETA_THRESHOLD_RADIANS;
}

describe('cartpoleStepLanes', () => {
  it('matches cartpoleStepScalar lane by lane over 64 000 random states, tasks and actions', () => {
    const b = new Buffers();
    const before = new StaticArray<f32>(STATE_DIM * LANES);
    let worst: f64 = 0;
    let terminations = 0;
    // Mismatches are counted and the first one is described; one expect per kind at the end
    // keeps the debug build fast.
    let badFlagBytes = 0, flagNotState = 0, flagNotScalar = 0, badRewards = 0;
    let firstFailure = '';
    for (let round = 0; round < 1000; round++) {
      randomise(b, round, round % 4 == 3);
      memory.copy(changetype<usize>(before), b.simdState, <usize>(STATE_DIM * LANES) << 2);
      fillFlagSentinels(b);
      cartpoleStepLanes(LANES, b.simdState, b.params, b.actions, b.reward, b.terminated);
      expectGuardIntact(b);
      for (let i = 0; i < LANES; i++) {
        const scalarFlag = cartpoleStepScalar(LANES, i, b.scalarState, b.params, load<i32>(b.actions + (<usize>i << 2)));
        for (let k = 0; k < STATE_DIM; k++) {
          const simd = <f64>load<f32>(at(b.simdState, k, i));
          const scalar = <f64>load<f32>(at(b.scalarState, k, i));
          const old = <f64>before[k * LANES + i];
          // The error is measured in float32 ulp (2^-23) of the size of the terms that make the new
          // value (rounding errors scale with them, even where they cancel). The 1-ulp sin/cos
          // difference, carried through the equations, gave at most 3 ulp when this bound was set:
          // 16 leaves room. A wrong term in an equation shows up as an O(1) difference.
          const err = Math.abs(simd - scalar) / (Math.abs(old) + TAU_SECONDS * rateMagnitude(b, before, k, i) + 1e-30);
          if (err > worst) {
            worst = err;
            if (worst >= 16.0 * ULP && firstFailure.length == 0) {
              firstFailure = 'round ' + round.toString() + ' lane ' + i.toString() + ' component ' + k.toString()
                + ': simd ' + simd.toString() + ' vs scalar ' + scalar.toString();
            }
          }
        }
        const flag = load<u8>(b.terminated + <usize>i);
        // Exactly 0 or 1, and exactly the strict threshold test on the kernel's own new state.
        if (flag != 0 && flag != 1) badFlagBytes++;
        if ((flag == 1) != terminatedByState(b.simdState, i)) flagNotState++;
        // The scalar path agrees unless the two new states straddle a threshold by an ulp.
        const nearX = Math.abs(Math.abs(<f64>load<f32>(at(b.scalarState, 0, i))) - <f64>X_THRESHOLD) < 1e-5;
        const nearTheta = Math.abs(Math.abs(<f64>load<f32>(at(b.scalarState, 2, i))) - <f64>THETA_THRESHOLD_RADIANS) < 1e-5;
        if (!nearX && !nearTheta && <i32>flag != scalarFlag) flagNotScalar++;
        if (load<f32>(b.reward + (<usize>i << 2)) != 1.0) badRewards++;
        terminations += flag;
      }
    }
    log<string>('cartpoleStepLanes vs scalar: worst scaled error ' + (worst / ULP).toString() + ' ulp, '
      + terminations.toString() + ' terminations' + (firstFailure.length > 0 ? '; first failure: ' + firstFailure : ''));
    expect(worst).toBeLessThan(16.0 * ULP);
    expect(badFlagBytes).toBe(0);
    expect(flagNotState).toBe(0);
    expect(flagNotScalar).toBe(0);
    expect(badRewards).toBe(0);
    // The random ranges must exercise both outcomes, or the flag checks above prove little.
    expect(terminations).toBeGreaterThan(500);
    expect(terminations).toBeLessThan(1000 * LANES - 500);
    b.dispose();
  });

  it('uses the old velocities for the positions (explicit Euler)', () => {
    const b = new Buffers();
    randomise(b, 7, false);
    cartpoleStepLanes(LANES, b.simdState, b.params, b.actions, b.reward, b.terminated);
    for (let i = 0; i < LANES; i++) {
      const x = load<f32>(at(b.scalarState, 0, i)), xDot = load<f32>(at(b.scalarState, 1, i));
      const theta = load<f32>(at(b.scalarState, 2, i)), thetaDot = load<f32>(at(b.scalarState, 3, i));
      expect(load<f32>(at(b.simdState, 0, i))).toBe(x + TAU_SECONDS * xDot);
      expect(load<f32>(at(b.simdState, 2, i))).toBe(theta + TAU_SECONDS * thetaDot);
    }
    b.dispose();
  });

  it('narrows the termination masks to bytes in lane order: all 16 patterns of a group of four', () => {
    const b = new Buffers();
    // Group g (lanes 4g..4g+3) ends exactly the lanes whose bit is set in g; lane j of a group
    // crosses a different threshold (+x, −x, +θ, −θ), with zero velocities so the state stays put.
    for (let i = 0; i < LANES; i++) {
      const g = i >> 2, j = i & 3;
      const ends = ((g >> j) & 1) == 1;
      const x: f32 = ends && j == 0 ? 2.5 : ends && j == 1 ? -2.5 : 0.0;
      const theta: f32 = ends && j == 2 ? 0.25 : ends && j == 3 ? -0.25 : 0.0;
      store<f32>(at(b.simdState, 0, i), x);
      store<f32>(at(b.simdState, 1, i), 0.0);
      store<f32>(at(b.simdState, 2, i), theta);
      store<f32>(at(b.simdState, 3, i), 0.0);
      store<f32>(at(b.params, 0, i), 9.8);
      store<f32>(at(b.params, 1, i), 1.0);
      store<f32>(at(b.params, 2, i), 0.1);
      store<f32>(at(b.params, 3, i), 0.5);
      store<f32>(at(b.params, 4, i), 10.0);
      store<i32>(b.actions + (<usize>i << 2), i & 1);
    }
    fillFlagSentinels(b);
    cartpoleStepLanes(LANES, b.simdState, b.params, b.actions, b.reward, b.terminated);
    for (let i = 0; i < LANES; i++) {
      const g = i >> 2, j = i & 3;
      expect(<i32>load<u8>(b.terminated + <usize>i)).toBe((g >> j) & 1);
    }
    expectGuardIntact(b);
    b.dispose();
  });

  it('uses strict thresholds in both kernels: |x| = 2.4 or |θ| = 12° continues, one float32 step beyond ends', () => {
    const b = new Buffers();
    const cases: f32[] = [X_THRESHOLD, -X_THRESHOLD, nextUp(X_THRESHOLD), -nextUp(X_THRESHOLD),
      THETA_THRESHOLD_RADIANS, -THETA_THRESHOLD_RADIANS, nextUp(THETA_THRESHOLD_RADIANS), -nextUp(THETA_THRESHOLD_RADIANS)];
    for (let i = 0; i < LANES; i++) {
      const c = i % cases.length;
      const value = cases[c];
      store<f32>(at(b.simdState, 0, i), c < 4 ? value : 0.0);
      store<f32>(at(b.simdState, 1, i), 0.0);
      store<f32>(at(b.simdState, 2, i), c < 4 ? 0.0 : value);
      store<f32>(at(b.simdState, 3, i), 0.0);
      for (let k = 0; k < PARAM_DIM; k++) store<f32>(at(b.params, k, i), k == 0 ? 9.8 : k == 4 ? 10.0 : k == 3 ? 0.5 : k == 2 ? 0.1 : 1.0);
      store<i32>(b.actions + (<usize>i << 2), (i >> 3) & 1);
    }
    memory.copy(b.scalarState, b.simdState, <usize>(STATE_DIM * LANES) << 2);
    fillFlagSentinels(b);
    cartpoleStepLanes(LANES, b.simdState, b.params, b.actions, b.reward, b.terminated);
    for (let i = 0; i < LANES; i++) {
      const beyond = (i % cases.length) % 4 >= 2;
      expect(load<u8>(b.terminated + <usize>i)).toBe(beyond ? 1 : 0);
      expect(cartpoleStepScalar(LANES, i, b.scalarState, b.params, load<i32>(b.actions + (<usize>i << 2)))).toBe(beyond ? 1 : 0);
    }
    b.dispose();
  });
});
