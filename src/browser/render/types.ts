// What a renderer is: one per environment, in its own module, drawing one frame of an episode from
// the env's physical state (a row of env.getState(), Gymnasium order) and the task (named values).
// Renderers run on the page's main thread and import nothing from the library (no tfjs there).

export interface RenderFrame {
  /** One row of env.getState(): the state after `step` steps. */
  state: Float32Array;
  /** The task, by parameter name (family.paramNames). */
  task: Readonly<Record<string, number>>;
  /** Steps taken so far, and the sum of their rewards. */
  step: number;
  return: number;
  /** Reward of the last step (0 at the reset state). */
  reward: number;
  /** The episode ended with this frame: 'terminated' (the env ended it), 'truncated' (step limit) or null. */
  end: 'terminated' | 'truncated' | null;
}

export interface Renderer {
  /** The env id this renderer draws (a registered env). */
  readonly envId: string;
  /** Simulated seconds per env step: the page plays episodes at this pace (times its speed factor). */
  readonly stepSeconds: number;
  /** Draws the frame over the whole canvas (clears it first). */
  draw(ctx: CanvasRenderingContext2D, frame: RenderFrame): void;
}

/** Shared look: colours and the text line at the top of every frame. */
export const INK = '#1f2328';
export const MUTED = '#656d76';

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

export function endLabel(frame: RenderFrame): string {
  return frame.end === 'terminated' ? ' · ended' : frame.end === 'truncated' ? ' · step limit' : '';
}
