// CartPole-v1 against a float64 re-derivation of Gymnasium's cartpole.py written here.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

type State = [number, number, number, number];
interface Physics { gravity: number; massCart: number; massPole: number; halfLength: number; forceMag: number }

/** Gymnasium CartPole.step, explicit Euler, in float64. */
function referenceStep(s: State, action: number, p: Physics): { next: State; terminated: boolean } {
  const [x, xDot, theta, thetaDot] = s;
  const totalMass = p.massPole + p.massCart;
  const poleMassLength = p.massPole * p.halfLength;
  const force = action === 1 ? p.forceMag : -p.forceMag;
  const cos = Math.cos(theta), sin = Math.sin(theta);
  const temp = (force + poleMassLength * thetaDot ** 2 * sin) / totalMass;
  const thetaAcc = (p.gravity * sin - cos * temp) / (p.halfLength * (4.0 / 3.0 - (p.massPole * cos ** 2) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
  const next: State = [x + 0.02 * xDot, xDot + 0.02 * xAcc, theta + 0.02 * thetaDot, thetaDot + 0.02 * thetaAcc];
  const thetaThreshold = (12 * 2 * Math.PI) / 360;
  const terminated = next[0] < -2.4 || next[0] > 2.4 || next[2] < -thetaThreshold || next[2] > thetaThreshold;
  return { next, terminated };
}

test('golden trajectories: several tasks follow the float64 reference', () => {
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5], forceMag: [5, 15] });
  const numEnvs = 6;
  const tasks = family.sample(numEnvs, { seed: 3 });
  const env = family.makeVecEnv({ numEnvs, seed: 5 });
  env.setTasks(tasks);
  env.reset();
  const P = family.numParams;
  const physics: Physics[] = [];
  for (let i = 0; i < numEnvs; i++) {
    const t = tasks.subarray(i * P, (i + 1) * P);
    physics.push({ gravity: t[0], massCart: t[1], massPole: t[2], halfLength: t[3], forceMag: t[4] });
  }
  const start = env.getState();
  const ref: State[] = [];
  for (let i = 0; i < numEnvs; i++) ref.push([...start.subarray(i * 4, i * 4 + 4)] as State);
  const alive = new Array(numEnvs).fill(true);
  // A fixed action pattern per env that keeps the pole up for a while (alternate with a phase).
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
          `env ${i} step ${t} component ${k}: ${state[i * 4 + k]} vs ${next[k]}`);
      }
      assert.equal(out.reward[i], 1);
      assert.equal(out.terminated[i], terminated ? 1 : 0, `env ${i} step ${t} termination`);
      if (terminated) alive[i] = false;
    }
  }
  env.dispose();
});
