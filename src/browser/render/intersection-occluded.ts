// IntersectionOccluded-v0 on the page: Intersection-v0's picture (intersection.ts), which adds the
// building, the sight mark and the faded hidden car when the scene has a sight distance.
import type { Renderer } from './types';
import type { IntersectionScene } from '../../envs/scene';
import { intersectionRenderer } from './intersection';

export const intersectionOccludedRenderer: Renderer<IntersectionScene> = { ...intersectionRenderer, envId: 'IntersectionOccluded-v0' };
