// The float64 re-derivation of Gymnasium's cartpole.py that the CartPole-v1 and CartPoleFlip-v0
// tests hold the WASM module against, and the golden-trajectory check both run with it.
import assert from 'node:assert/strict';
import type * as dm from 'directed-maml';

export type State = [number, number, number, number];
/** One task's physics; forceDirection (CartPoleFlip-v0 only) negates the push when < 0. */
export interface Physics { gravity: number; massCart: number; massPole: number; halfLength: number; forceMag: number; forceDirection?: number }

/** Gymnasium CartPole.step, explicit Euler, in float64 (F_a negated when forceDirection < 0). */
export function referenceStep(s: State, action: number, p: Physics): { next: State; terminated: boolean } {
  const [x, xDot, theta, thetaDot] = s;
  const totalMass = p.massPole + p.massCart;
  const poleMassLength = p.massPole * p.halfLength;
  const push = action === 1 ? p.forceMag : -p.forceMag;
  const force = (p.forceDirection ?? 0) < 0 ? -push : push;
  const cos = Math.cos(theta), sin = Math.sin(theta);
  const temp = (force + poleMassLength * thetaDot ** 2 * sin) / totalMass;
  const thetaAcc = (p.gravity * sin - cos * temp) / (p.halfLength * (4.0 / 3.0 - (p.massPole * cos ** 2) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
  const next: State = [x + 0.02 * xDot, xDot + 0.02 * xAcc, theta + 0.02 * thetaDot, thetaDot + 0.02 * thetaAcc];
  const thetaThreshold = (12 * 2 * Math.PI) / 360;
  const terminated = next[0] < -2.4 || next[0] > 2.4 || next[2] < -thetaThreshold || next[2] > thetaThreshold;
  return { next, terminated };
}

/**
 * Steps a reset VecEnv 60 times with a fixed action pattern that keeps the pole up for a while
 * (alternate with a phase per lane) and checks every live lane's state, reward and termination
 * against referenceStep with that lane's physics. `label(i)` names a lane in failure messages.
 */
export function assertFollowsReference(env: dm.VecEnv, physics: readonly Physics[], label: (i: number) => string = (i) => `env ${i}`): void {
  const numEnvs = physics.length;
  const start = env.getState();
  const ref: State[] = [];
  for (let i = 0; i < numEnvs; i++) ref.push([...start.subarray(i * 4, i * 4 + 4)] as State);
  const alive = new Array(numEnvs).fill(true);
  for (let t = 0; t < 60; t++) {
    const actions = Int32Array.from({ length: numEnvs }, (_, i) => ((t + i) >> 1) & 1);
    const out = env.step(actions);
    const state = env.getState();
    for (let i = 0; i < numEnvs; i++) {
      if (!alive[i]) continue;
      const { next, terminated } = referenceStep(ref[i], actions[i], physics[i]);
      ref[i] = next;
      for (let k = 0; k < 4; k++) {
        // float32 state and polynomial sin/cos against float64: error grows ~linearly, 1e-4 after 60 steps
        assert.ok(Math.abs(state[i * 4 + k] - next[k]) <= 1e-4 * (1 + Math.abs(next[k])),
          `${label(i)} step ${t} component ${k}: ${state[i * 4 + k]} vs ${next[k]}`);
      }
      assert.equal(out.reward[i], 1);
      assert.equal(out.terminated[i], terminated ? 1 : 0, `${label(i)} step ${t} termination`);
      if (terminated) alive[i] = false;
    }
  }
}
