// The f32x4 step of the lander (lunarStepLanes: lanes grouped by contact signature, four worlds per
// island solve) against its scalar reference (lunarStepLanesScalar: each lane alone through
// island.ts), bit for bit, lane by lane. Both live in assembly/envs/lunar/scheduler.ts; the scalar one
// is reached here directly (the module does not export it). Random and heuristic lanes over varied
// tasks (gravity, wind, turbulence), through landings, crashes, sleep and resets; discrete actions
// and continuous ones (Gymnasium's continuous heuristic and unclipped random actions).
import { lunarStepLanes, lunarStepLanesScalar } from '../envs/lunar/scheduler';
import { lunarResetLane, lunarObserve, STATE_DIM, PARAM_DIM, OBS_DIM, RESET_DRAWS,
  P_GRAVITY, P_WIND_POWER, P_TURBULENCE_POWER, lunarDefaultParam } from '../envs/lunar/lander';
import { S_LEG_CONTACT } from '../envs/lunar/state';
import { uniform01, streamKey, PURPOSE_RESET, PURPOSE_ACTION, PURPOSE_TASKS } from '../rng';

const LANES = 32;
const STEPS = 500;
const stride = <usize>LANES << 2;
const simdState = heap.alloc(<usize>STATE_DIM * stride);
const scalarState = heap.alloc(<usize>STATE_DIM * stride);
const params = heap.alloc(<usize>PARAM_DIM * stride);
const actions = heap.alloc(stride * 2); // i32 [lanes], or f32 [2][lanes] for the continuous env
const simdReward = heap.alloc(stride);
const scalarReward = heap.alloc(stride);
const simdTerminated = heap.alloc(LANES);
const scalarTerminated = heap.alloc(LANES);
const keys = heap.alloc(<usize>LANES << 3);
const simdCounters = heap.alloc(<usize>LANES << 3);
const scalarCounters = heap.alloc(<usize>LANES << 3);
const obs = heap.alloc(<usize>LANES * OBS_DIM << 2);

/** Gymnasium's heuristic(): the discrete action, or (continuous) writes [main, lateral] of `lane`. */
function heuristic(row: usize, continuous: bool, lane: i32): i32 {
  const s0 = <f64>load<f32>(row), s1 = <f64>load<f32>(row, 4), s2 = <f64>load<f32>(row, 8), s3 = <f64>load<f32>(row, 12);
  const s4 = <f64>load<f32>(row, 16), s5 = <f64>load<f32>(row, 20), s6 = load<f32>(row, 24), s7 = load<f32>(row, 28);
  let angleTarg = s0 * 0.5 + s2;
  if (angleTarg > 0.4) angleTarg = 0.4;
  if (angleTarg < -0.4) angleTarg = -0.4;
  const hoverTarg = 0.55 * Math.abs(s0);
  let angleTodo = (angleTarg - s4) * 0.5 - s5;
  let hoverTodo = (hoverTarg - s1) * 0.5 - s3 * 0.5;
  if (s6 != 0 || s7 != 0) { angleTodo = 0; hoverTodo = -s3 * 0.5; }
  if (continuous) { // np.clip([hover_todo·20 − 1, −angle_todo·20], −1, 1)
    store<f32>(actions + (<usize>lane << 2), <f32>Math.min(Math.max(hoverTodo * 20 - 1, -1), 1));
    store<f32>(actions + (<usize>(LANES + lane) << 2), <f32>Math.min(Math.max(-angleTodo * 20, -1), 1));
    return 0;
  }
  if (hoverTodo > Math.abs(angleTodo) && hoverTodo > 0.05) return 2;
  if (angleTodo < -0.05) return 3;
  if (angleTodo > 0.05) return 1;
  return 0;
}

function resetLane(lane: i32): void {
  const key = load<u64>(keys + (<usize>lane << 3));
  const counterAt = <usize>lane << 3;
  lunarResetLane(LANES, lane, simdState, params, key, load<u64>(simdCounters + counterAt));
  lunarResetLane(LANES, lane, scalarState, params, key, load<u64>(scalarCounters + counterAt));
  store<u64>(simdCounters + counterAt, load<u64>(simdCounters + counterAt) + RESET_DRAWS);
  store<u64>(scalarCounters + counterAt, load<u64>(scalarCounters + counterAt) + RESET_DRAWS);
}

function compareSimdAndScalar(continuous: bool): void {
  const taskKey = streamKey(6, PURPOSE_TASKS, 0, 0), actionKey = streamKey(continuous ? 8 : 7, PURPOSE_ACTION, 0, 0);
  for (let lane = 0; lane < LANES; lane++) {
    for (let k = 0; k < PARAM_DIM; k++) store<f32>(params + <usize>k * stride + (<usize>lane << 2), lunarDefaultParam(k));
    const u = <u64>(lane * 3);
    store<f32>(params + <usize>P_GRAVITY * stride + (<usize>lane << 2), <f32>(-11.5 + 7.0 * uniform01(taskKey, u)));
    if (lane % 2 == 1) {
      store<f32>(params + <usize>P_WIND_POWER * stride + (<usize>lane << 2), <f32>(20.0 * uniform01(taskKey, u + 1)));
      store<f32>(params + <usize>P_TURBULENCE_POWER * stride + (<usize>lane << 2), <f32>(2.0 * uniform01(taskKey, u + 2)));
    }
    store<u64>(keys + (<usize>lane << 3), streamKey(41, PURPOSE_RESET, 0, <u32>lane));
    store<u64>(simdCounters + (<usize>lane << 3), 0);
    store<u64>(scalarCounters + (<usize>lane << 3), 0);
    resetLane(lane);
  }
  let resets = 0, contacts = 0, draws: u64 = 0;
  for (let t = 0; t < STEPS; t++) {
    lunarObserve(LANES, LANES, simdState, obs);
    for (let lane = 0; lane < LANES; lane++) {
      const row = obs + (<usize>lane * OBS_DIM << 2);
      if (continuous) {
        heuristic(row, true, lane);
        if (lane % 4 == 0) { // unclipped random actions in [−1.5, 1.5)²
          store<f32>(actions + (<usize>lane << 2), <f32>(3.0 * uniform01(actionKey, draws++) - 1.5));
          store<f32>(actions + (<usize>(LANES + lane) << 2), <f32>(3.0 * uniform01(actionKey, draws++) - 1.5));
        }
      } else {
        const random = <i32>(uniform01(actionKey, draws++) * 4.0);
        store<i32>(actions + (<usize>lane << 2), lane % 4 == 0 ? random : heuristic(row, false, lane));
      }
    }
    lunarStepLanes(LANES, simdState, params, actions, continuous, simdReward, simdTerminated, keys, simdCounters);
    lunarStepLanesScalar(LANES, scalarState, params, actions, continuous, scalarReward, scalarTerminated, keys, scalarCounters);
    expect(memory.compare(simdState, scalarState, <usize>STATE_DIM * stride)).toBe(0, 'state');
    expect(memory.compare(simdReward, scalarReward, stride)).toBe(0, 'reward');
    expect(memory.compare(simdTerminated, scalarTerminated, LANES)).toBe(0, 'terminated');
    expect(memory.compare(simdCounters, scalarCounters, <usize>LANES << 3)).toBe(0, 'counters');
    for (let lane = 0; lane < LANES; lane++) {
      contacts += <i32>load<f32>(simdState + <usize>S_LEG_CONTACT * stride + (<usize>lane << 2));
      if (load<u8>(simdTerminated + <usize>lane)) { resetLane(lane); resets++; }
    }
  }
  expect(resets).toBeGreaterThan(20);
  expect(contacts).toBeGreaterThan(100);
}

describe('lunarStepLanes (f32x4) against lunarStepLanesScalar', () => {
  it('LunarLander-v2: equal bit for bit, lane by lane (state, reward, terminated, draws)', () => {
    compareSimdAndScalar(false);
  });
  it('LunarLanderContinuous-v2: equal bit for bit, lane by lane (state, reward, terminated, draws)', () => {
    compareSimdAndScalar(true);
  });
});
