// CartPole-v1: the cart on its track between the limits where an episode ends, and the pole to
// scale (its length is 2·halfLength, the task's main parameter); the pole turns red past the angle
// limit. Positions, angles and limits come from the scene (the module's X_THRESHOLD and
// THETA_THRESHOLD_RADIANS); the cart's box is a drawing choice (the physics has a point cart).
import { header, endLabel, clear, INK, MUTED, DANGER, type Renderer } from './types';
import type { CartPoleScene } from '../../envs/scene';

const CART_WIDTH_M = 0.5; // drawn size only
const CART_HEIGHT_M = 0.3;
const MARGIN_M = 0.5; // room beyond the limits for their labels

export const cartPoleRenderer: Renderer<CartPoleScene> = {
  envId: 'CartPole-v1',
  draw(ctx, frame): void {
    const { width, height } = ctx.canvas;
    const scene = frame.scene;
    const x = scene.x[frame.step], theta = scene.theta[frame.step];
    const poleLength = 2 * scene.task.halfLength;
    const limit = scene.xThresholdM;
    clear(ctx, '#ffffff');
    header(ctx, `step ${frame.step} · return ${frame.return.toFixed(0)}${endLabel(frame)}`, `pole ${poleLength.toFixed(2)} m · ${scene.task.massPole.toFixed(2)} kg`);

    // Metres to pixels: the track (its limits and room for their labels) across the width, the pole within the height.
    const groundY = height - 36;
    const scale = Math.min(width / (2 * (limit + MARGIN_M)), (groundY - 34) / (poleLength + CART_HEIGHT_M));
    const px = (m: number) => width / 2 + m * scale;

    // Track and its limits.
    ctx.strokeStyle = MUTED;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(px(-limit), groundY);
    ctx.lineTo(px(limit), groundY);
    ctx.stroke();
    ctx.fillStyle = DANGER;
    for (const s of [-1, 1]) ctx.fillRect(px(s * limit) - 1, groundY - 10, 3, 20);
    ctx.fillStyle = MUTED;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(`−${limit.toFixed(1)} m`, px(-limit), groundY + 12);
    ctx.fillText(`+${limit.toFixed(1)} m`, px(limit), groundY + 12);
    ctx.textAlign = 'left';

    // Cart.
    const cartTop = groundY - CART_HEIGHT_M * scale;
    ctx.fillStyle = '#4e79a7';
    ctx.fillRect(px(x) - (CART_WIDTH_M / 2) * scale, cartTop, CART_WIDTH_M * scale, CART_HEIGHT_M * scale);

    // Pole, from the cart's top centre; red once past the angle limit.
    const pivotX = px(x), pivotY = cartTop;
    const tipX = pivotX + Math.sin(theta) * poleLength * scale;
    const tipY = pivotY - Math.cos(theta) * poleLength * scale;
    ctx.strokeStyle = Math.abs(theta) > scene.thetaThresholdRad ? DANGER : '#c9a227';
    ctx.lineWidth = Math.max(4, Math.min(14, 19 * Math.sqrt(scene.task.massPole))); // thicker for a heavier pole (px per √kg)
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
