// LunarLanderPad-v0 on the page: LunarLander-v2's picture (lunar-lander.ts), whose pad and flags the
// scene already puts at the task's padOffset (src/envs/scene.ts).
import type { Renderer } from './types';
import type { LunarLanderScene } from '../../envs/scene';
import { lunarLanderRenderer } from './lunar-lander';

export const lunarLanderPadRenderer: Renderer<LunarLanderScene> = { ...lunarLanderRenderer, envId: 'LunarLanderPad-v0' };
