import type { EnvSpec } from './spec';

/**
 * Intersection-v0: the ego car crosses a conflict zone ahead of or behind another car whose
 * driving style (aggressiveness β) is the task. Our own definition (SPEC.md §3, an assumption,
 * not a reproduction); dynamics, the other driver's rule and every constant in
 * assembly/envs/intersection.ts. State [egoPosition, egoSpeed, otherPosition, otherSpeed]
 * (front bumpers relative to the zone entry, m; speeds m/s); actions 0..4 = −4, −2, 0, +2, +4 m/s².
 */
export const intersectionSpec: EnvSpec = {
  id: 'Intersection-v0',
  wasmKind: 'ENV_INTERSECTION',
  params: [
    {
      name: 'aggressiveness', min: 0, minInclusive: true, max: 1,
      description: "the other driver's β: desired speed 8 + 6β m/s, gap margin 3(1 − β) s; β = 1 never yields",
    },
    {
      // The reset draw U(c − 2, c + 2) must stay inside the speed limits [0, 15] m/s.
      name: 'otherInitialSpeed', min: 2, minInclusive: true, max: 13,
      description: "centre c of the other car's initial speed draw U(c − 2, c + 2) (m/s)",
    },
  ],
  defaultRanges: { aggressiveness: [0, 1] },
  description: 'Cross a 4 m conflict zone before or after another car (5 m cars, Δt 0.2 s); +10 when the ego clears the zone, −100 on collision, −0.1 per step − 0.01·a²; truncated after 100 steps.',
};
