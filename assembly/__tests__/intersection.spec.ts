// The f32x4 step of Intersection-v0 against its scalar reference, lane by lane: both do the same
// float32 operations in the same order, so they must agree bit for bit.
import { alloc, free } from '../memory';
import { streamKey, uniform, PURPOSE_ENV } from '../rng';
import { intersectionStepLanes, intersectionStepScalar, STATE_DIM, PARAM_DIM } from '../envs/intersection';

describe('intersection', () => {
  it('the SIMD step equals the scalar reference in every lane (states around the zone, all β)', () => {
    const lanes = 64;
    const stride = <usize>lanes << 2;
    const state = alloc(<usize>STATE_DIM * stride);
    const scalarState = alloc(<usize>STATE_DIM * stride);
    const params = alloc(<usize>PARAM_DIM * stride);
    const actions = alloc(stride);
    const reward = alloc(stride);
    const scalarReward = alloc(stride);
    const terminated = alloc(<usize>lanes);
    const key = streamKey(3, PURPOSE_ENV, 0, 0);
    let counter: u64 = 0;
    let braked = 0, ended = 0;
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < lanes; i++) {
        const off = <usize>i << 2;
        const creeping = i % 4 == 1; // the other near the stop line, slow: arrival times near the cap
        store<f32>(state + off, uniform(key, counter++, creeping ? -40.0 : -50.0, creeping ? 0.0 : 15.0));
        store<f32>(state + stride + off, i % 8 == 3 ? 0.0 : uniform(key, counter++, 0.0, creeping ? 3.0 : 15.0));
        store<f32>(state + 2 * stride + off, creeping ? uniform(key, counter++, -0.3, -0.001) : uniform(key, counter++, -50.0, 15.0));
        store<f32>(state + 3 * stride + off, uniform(key, counter++, 0.0, creeping ? 0.05 : 15.0));
        store<f32>(params + off, i % 10 == 0 ? 1.0 : uniform(key, counter++, 0.0, 1.0));
        store<f32>(params + stride + off, 10.0);
        store<i32>(actions + off, <i32>uniform(key, counter++, 0.0, 5.0));
      }
      memory.copy(scalarState, state, <usize>STATE_DIM * stride);
      intersectionStepLanes(lanes, state, params, actions, reward, terminated);
      for (let i = 0; i < lanes; i++) {
        const off = <usize>i << 2;
        const otherSpeedBefore = load<f32>(scalarState + 3 * stride + off);
        const done = intersectionStepScalar(lanes, i, scalarState, params, load<i32>(actions + off), scalarReward);
        for (let k = 0; k < STATE_DIM; k++) {
          expect(load<f32>(state + <usize>k * stride + off)).toBe(load<f32>(scalarState + <usize>k * stride + off));
        }
        expect(load<f32>(reward + off)).toBe(load<f32>(scalarReward + off));
        expect(<i32>load<u8>(terminated + <usize>i)).toBe(done);
        ended += done;
        if (otherSpeedBefore > 0.6 && load<f32>(scalarState + 3 * stride + off) < otherSpeedBefore - 0.59) braked++;
      }
    }
    // The draws reach both the braking branch and the outcomes.
    expect(braked).toBeGreaterThan(50);
    expect(ended).toBeGreaterThan(50);
    free(state); free(scalarState); free(params); free(actions); free(reward); free(scalarReward); free(terminated);
  });
});
