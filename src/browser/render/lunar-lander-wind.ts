// LunarLanderWind-v0 on the page: LunarLander-v2's picture (lunar-lander.ts); the task's steady
// wind is not drawn (it is hidden from the policy as well).
import type { Renderer } from './types';
import type { LunarLanderScene } from '../../envs/scene';
import { lunarLanderRenderer } from './lunar-lander';

export const lunarLanderWindRenderer: Renderer<LunarLanderScene> = { ...lunarLanderRenderer, envId: 'LunarLanderWind-v0' };
