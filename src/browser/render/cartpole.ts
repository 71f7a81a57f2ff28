// CartPole-v1: state [x, xDot, theta, thetaDot] (m, m/s, rad, rad/s), theta = 0 upright and
// positive leaning right (x_tip = x + 2·halfLength·sin θ). The track is drawn to ±2.4 m, where the
// episode ends, and the pole to scale: its length is 2·halfLength, the task's main parameter.
import { header, endLabel, INK, MUTED, type Renderer, type RenderFrame } from './types';

const X_LIMIT_M = 2.4; // |x| > 2.4 m ends an episode (Gymnasium)
const THETA_LIMIT_RAD = (12 * Math.PI) / 180; // |θ| > 12° ends it
const CART_WIDTH_M = 0.5;
const CART_HEIGHT_M = 0.3;

export const cartPoleRenderer: Renderer = {
  envId: 'CartPole-v1',
  stepSeconds: 0.02, // Gymnasium's tau
  draw(ctx: CanvasRenderingContext2D, frame: RenderFrame): void {
    const { width, height } = ctx.canvas;
    const [x, , theta] = frame.state;
    const halfLength = frame.task.halfLength ?? 0.5;
    const poleLength = 2 * halfLength;
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    header(ctx, `step ${frame.step} · return ${frame.return.toFixed(0)}${endLabel(frame)}`, `pole ${poleLength.toFixed(2)} m · ${(frame.task.massPole ?? 0.1).toFixed(2)} kg`);

    // Metres to pixels: the track (±2.4 m and room for its labels) across the width, the pole within the height.
    const groundY = height - 36;
    const scale = Math.min(width / (2 * (X_LIMIT_M + 0.5)), (groundY - 34) / (poleLength + CART_HEIGHT_M));
    const px = (m: number) => width / 2 + m * scale;

    // Track and its limits.
    ctx.strokeStyle = MUTED;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(px(-X_LIMIT_M), groundY);
    ctx.lineTo(px(X_LIMIT_M), groundY);
    ctx.stroke();
    ctx.fillStyle = '#cf222e';
    for (const s of [-1, 1]) ctx.fillRect(px(s * X_LIMIT_M) - 1, groundY - 10, 3, 20);
    ctx.fillStyle = MUTED;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('−2.4 m', px(-X_LIMIT_M), groundY + 12);
    ctx.fillText('+2.4 m', px(X_LIMIT_M), groundY + 12);
    ctx.textAlign = 'left';

    // Cart.
    const cartTop = groundY - CART_HEIGHT_M * scale;
    ctx.fillStyle = '#4e79a7';
    ctx.fillRect(px(x) - (CART_WIDTH_M / 2) * scale, cartTop, CART_WIDTH_M * scale, CART_HEIGHT_M * scale);

    // Pole, from the cart's top centre; red once past the 12° limit.
    const pivotX = px(x), pivotY = cartTop;
    const tipX = pivotX + Math.sin(theta) * poleLength * scale;
    const tipY = pivotY - Math.cos(theta) * poleLength * scale;
    ctx.strokeStyle = Math.abs(theta) > THETA_LIMIT_RAD ? '#cf222e' : '#c9a227';
    ctx.lineWidth = Math.max(4, Math.min(14, 6 * Math.sqrt((frame.task.massPole ?? 0.1) / 0.1)));
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(pivotX, pivotY);
    ctx.lineTo(tipX, tipY);
    ctx.stroke();
    ctx.fillStyle = INK;
    ctx.beginPath();
    ctx.arc(pivotX, pivotY, 3.5, 0, 2 * Math.PI);
    ctx.fill();
  },
};
