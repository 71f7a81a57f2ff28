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

/**
 * IntersectionOccluded-v0 [I]: Intersection-v0 at a blind intersection — the same cars, other
 * driver, rewards and truncation (the same WASM step), but buildings hide the other car from the
 * ego until its front is within the sight distance (12 m) of the zone entry. Observation (5):
 * [p_e/50, v_e/15, h·p_o/50, h·v_o/15, h], h = 1 while the other car is visible, 0 while hidden
 * (then its entries are 0). The task is the other driver's β, its initial speed and its start
 * position, none observed before it comes into sight: per task its arrival time and whether it
 * yields are roughly fixed, so the right speed to approach at is the task's (README "Task families
 * that need adaptation"). Constants and the reset in assembly/envs/intersection_occluded.ts.
 */
export const intersectionOccludedSpec: EnvSpec = {
  id: 'IntersectionOccluded-v0',
  wasmKind: 'ENV_INTERSECTION_OCCLUDED',
  params: [
    intersectionSpec.params[0],
    intersectionSpec.params[1],
    {
      // The draw U(c − 2.5, c + 2.5) stays beyond the 12 m sight distance: the car starts hidden.
      name: 'otherStartPosition', min: -60, minInclusive: true, max: -15,
      description: "centre c of the other car's start draw U(c − 2.5, c + 2.5) (m, its front bumper before the zone entry)",
    },
  ],
  defaultRanges: { aggressiveness: [0, 1], otherInitialSpeed: [4, 13], otherStartPosition: [-40, -20] },
  description: 'Intersection-v0 at a blind intersection: the other car is hidden from the ego (observation entries 0, visibility flag 0) until it is within 12 m of the zone entry; its β, initial speed and start position are the task.',
};
