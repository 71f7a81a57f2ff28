// What a renderer is: one per environment, in its own module, drawing one frame of an episode from
// the episode's scene (dm.episodeScene, built by the library in the page's worker: the env's state
// decoded, with the sizes and limits of the WASM module). Renderers run on the page's main thread
// and import nothing from the library at run time (type imports only: no tfjs, no WASM there), so
// they hold no physics number of their own — only drawing choices (colours, margins, shapes that
// have no physical size).
import type { Scene } from '../../envs/scene';

export type { Scene };

export interface RenderFrame<S extends Scene = Scene> {
  scene: S;
  /** The frame to draw: the state after `step` steps (0..scene.steps). */
  step: number;
  /** The sum of the rewards of steps 0..step − 1, and the last one (0 at the reset state). */
  return: number;
  reward: number;
  /** The episode ended with this frame: 'terminated' (the env ended it; scene.outcome says how), 'truncated' (step limit) or null. */
  end: 'terminated' | 'truncated' | null;
}

export interface Renderer<S extends Scene = Scene> {
  /** The env id this renderer draws (a registered env). */
  readonly envId: S['env'];
  /** Draws the frame over the whole canvas (clears it first). */
  draw(ctx: CanvasRenderingContext2D, frame: RenderFrame<S>): void;
}

/** Shared look: colours and the text line at the top of every frame. */
export const INK = '#1f2328';
export const MUTED = '#656d76';
export const DANGER = '#cf222e';
export const GOOD = '#1a7f37';

export function header(ctx: CanvasRenderingContext2D, left: string, right: string): void {
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = MUTED;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(left, 8, 8);
  ctx.textAlign = 'right';
  ctx.fillText(right, ctx.canvas.width - 8, 8);
  ctx.textAlign = 'left';
}

/** " · <how it ended>" on the last frame, "" before. */
export function endLabel(frame: RenderFrame): string {
  return frame.end === 'terminated' ? ` · ${frame.scene.outcome ?? 'ended'}` : frame.end === 'truncated' ? ' · step limit' : '';
}

export function clear(ctx: CanvasRenderingContext2D, colour: string): void {
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}
