// The renderer registry of the demo page: one renderer per environment, each in its own module.
// Adding an environment's renderer = its module here and one line in RENDERERS.
import type { Renderer } from './types';
import { cartPoleRenderer } from './cartpole';
import { intersectionRenderer } from './intersection';
import { lunarLanderRenderer } from './lunar-lander';
import { lunarLanderContinuousRenderer } from './lunar-lander-continuous';
import { navigation2dRenderer } from './navigation2d';
import { cartPoleFlipRenderer } from './cartpole-flip';
import { lunarLanderWindRenderer } from './lunar-lander-wind';
import { lunarLanderPadRenderer } from './lunar-lander-pad';
import { intersectionOccludedRenderer } from './intersection-occluded';

export type { Renderer, RenderFrame, Scene } from './types';

export const RENDERERS: readonly Renderer[] = [cartPoleRenderer, intersectionRenderer, lunarLanderRenderer, lunarLanderContinuousRenderer, navigation2dRenderer, cartPoleFlipRenderer, lunarLanderWindRenderer, lunarLanderPadRenderer, intersectionOccludedRenderer];

/** The renderer of an env id, or undefined when there is none. */
export function rendererFor(envId: string): Renderer | undefined {
  return RENDERERS.find((r) => r.envId === envId);
}
