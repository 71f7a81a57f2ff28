// Navigation2D-v0: the plane seen from above, the start (0, 0), the goal (the task, unobserved by
// the policy) with its tolerance square, the path before adaptation (when the scene has it, grey
// and dashed) and the episode's path up to the frame (blue) with the point at its head. The view
// holds the goal, both paths and the default goal box; the tolerance and the step box come from
// the scene (the module's), the rest is a drawing choice.
import { clear, header, endLabel, MUTED, GOOD, INK, type Renderer } from './types';
import type { Navigation2DScene } from '../../envs/scene';

const MIN_HALF_SPAN = 0.6; // the view shows at least [−0.6, 0.6]² (the default goals are in [−0.5, 0.5]²)
const PATH = '#4e79a7';
const BEFORE = '#9aa4ae';

function extent(values: ArrayLike<number>, upTo: number): number {
  let m = 0;
  for (let i = 0; i < upTo; i++) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m;
}

function polyline(ctx: CanvasRenderingContext2D, xs: ArrayLike<number>, ys: ArrayLike<number>, count: number, at: (x: number, y: number) => [number, number]): void {
  ctx.beginPath();
  for (let i = 0; i < count; i++) {
    const [px, py] = at(xs[i], ys[i]);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();
}

export const navigation2dRenderer: Renderer<Navigation2DScene> = {
  envId: 'Navigation2D-v0',
  draw(ctx, frame): void {
    const { width, height } = ctx.canvas;
    const scene = frame.scene, f = frame.step;
    clear(ctx, '#f6f8fa');
    const frames = scene.steps + 1;
    const half = 1.1 * Math.max(MIN_HALF_SPAN, Math.abs(scene.goalX) + 0.1, Math.abs(scene.goalY) + 0.1,
      extent(scene.x, frames), extent(scene.y, frames),
      scene.before ? extent(scene.before.x, scene.before.x.length) : 0, scene.before ? extent(scene.before.y, scene.before.y.length) : 0);
    const top = 26, size = Math.min(width - 16, height - top - 8);
    const scale = size / (2 * half);
    const ox = (width - size) / 2 + size / 2, oy = top + size / 2;
    const at = (x: number, y: number): [number, number] => [ox + x * scale, oy - y * scale];

    // Axes through the start.
    ctx.strokeStyle = '#d0d7de';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(ox - size / 2, oy); ctx.lineTo(ox + size / 2, oy);
    ctx.moveTo(ox, oy - size / 2); ctx.lineTo(ox, oy + size / 2);
    ctx.stroke();

    // The goal: its tolerance square (at least a few pixels) and a ring around it.
    const [gx, gy] = at(scene.goalX, scene.goalY);
    const tol = Math.max(3, scene.goalTolerance * scale);
    ctx.fillStyle = frame.end === 'terminated' ? GOOD : '#f4c7c3';
    ctx.fillRect(gx - tol, gy - tol, 2 * tol, 2 * tol);
    ctx.strokeStyle = '#cf222e';
    ctx.beginPath();
    ctx.arc(gx, gy, tol + 6, 0, 2 * Math.PI);
    ctx.stroke();

    // The path before adaptation, whole.
    if (scene.before) {
      ctx.strokeStyle = BEFORE;
      ctx.setLineDash([4, 3]);
      polyline(ctx, scene.before.x, scene.before.y, scene.before.x.length, at);
      ctx.setLineDash([]);
    }
    // This episode's path up to the frame, and the point.
    ctx.strokeStyle = PATH;
    ctx.lineWidth = 2;
    polyline(ctx, scene.x, scene.y, f + 1, at);
    ctx.lineWidth = 1;
    const [px, py] = at(scene.x[f], scene.y[f]);
    ctx.fillStyle = INK;
    ctx.beginPath();
    ctx.arc(px, py, 4, 0, 2 * Math.PI);
    ctx.fill();

    const distance = Math.hypot(scene.x[f] - scene.goalX, scene.y[f] - scene.goalY);
    header(ctx, `step ${f} · return ${frame.return.toFixed(1)} · distance ${distance.toFixed(3)}${endLabel(frame)}`,
      `goal (${scene.goalX.toFixed(2)}, ${scene.goalY.toFixed(2)})`);
    if (scene.before) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillStyle = MUTED;
      ctx.textBaseline = 'bottom';
      ctx.fillText('dashed: before adaptation', 8, height - 4);
    }
  },
};
