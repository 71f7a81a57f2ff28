// CartPoleFlip-v0 on the page: CartPole-v1's picture (cartpole.ts); the task's forceDirection is
// not drawn (it is hidden from the policy as well).
import type { Renderer } from './types';
import type { CartPoleScene } from '../../envs/scene';
import { cartPoleRenderer } from './cartpole';

export const cartPoleFlipRenderer: Renderer<CartPoleScene> = { ...cartPoleRenderer, envId: 'CartPoleFlip-v0' };
