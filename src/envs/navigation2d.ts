import type { EnvSpec } from './spec';

/**
 * Navigation2D-v0: the MAML paper's 2D navigation with pytorch-maml-rl's semantics (Navigation2DEnv).
 * A point starts at (0, 0) and observes its position; the action (a box of size 2) is clipped to
 * [−0.1, 0.1]² and added to it; reward −‖position − goal‖ after the move; terminated when both
 * coordinates are within 0.01 of the goal; truncated after 100 steps. The goal is the task and is
 * not observed: only adaptation can find it. Dynamics and constants in assembly/envs/navigation2d.ts.
 */
export const navigation2dSpec: EnvSpec = {
  id: 'Navigation2D-v0',
  wasmKind: 'ENV_NAVIGATION2D',
  params: [
    { name: 'goalX', min: -100, minInclusive: true, max: 100, description: 'x of the goal (unobserved)' },
    { name: 'goalY', min: -100, minInclusive: true, max: 100, description: 'y of the goal (unobserved)' },
  ],
  defaultRanges: { goalX: [-0.5, 0.5], goalY: [-0.5, 0.5] },
  description: 'Move a point from (0, 0) to an unobserved goal with steps clipped to [−0.1, 0.1]²; reward −distance to the goal; ends within 0.01 of it or after 100 steps.',
};
