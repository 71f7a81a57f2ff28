// LunarLanderContinuous-v2 on the page: the lander's picture (lunar-lander.ts), whose scene then
// carries the main and the side engines' exhaust separately (both may fire in one step).
import type { Renderer } from './types';
import type { LunarLanderScene } from '../../envs/scene';
import { lunarLanderRenderer } from './lunar-lander';

export const lunarLanderContinuousRenderer: Renderer<LunarLanderScene> = { ...lunarLanderRenderer, envId: 'LunarLanderContinuous-v2' };
