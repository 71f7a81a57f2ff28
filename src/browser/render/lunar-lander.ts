// LunarLander-v2: the moon (the episode's smoothed terrain), the pad between its flags, the lander
// polygon and its two legs at their poses (a leg turns green while it flags ground contact), the
// exhaust of the engine the last step fired, the wind when the task has wind, and how the episode
// ended. Every position, shape and size comes from the scene (decoded by the library from the
// state, with the module's polygons, terrain, pad and engine geometry); what is left here is
// drawing: colours, the flags' cloth (Gymnasium's picture has no physical flags) and flame lengths.
import { header, endLabel, DANGER, GOOD, type Renderer } from './types';
import type { LunarLanderScene } from '../../envs/scene';

const SKY = '#0d1b2a';
export const MOON_COLOUR = '#c9ced6';
const PAD = '#f2c94c';
export const LANDER_COLOUR = '#8a63d2';
const LEG_COLOUR = '#6e4fb0';
export const LEG_CONTACT_COLOUR = '#2da44e';
export const FLAME_COLOUR = '#ff8c00';
export const WIND_COLOUR = '#9ecbff';
const HEADER_PX = 28;
// Gymnasium's picture: a flag pole 50 px tall with a 25 × 10 px flag (SCALE 30 px/m).
const FLAG_POLE_M = 50 / 30;
const FLAG_LENGTH_M = 25 / 30;
const FLAG_HEIGHT_M = 10 / 30;
// Exhaust drawn from the impulse point along the exhaust direction (drawing lengths only).
const MAIN_FLAME_M = 1.4;
const SIDE_FLAME_M = 0.8;
const FLAME_HALF_WIDTH_M = 0.18;
/** Room above the world: the lander starts at its top edge. */
const ABOVE_M = 1;

export const lunarLanderRenderer: Renderer<LunarLanderScene> = {
  envId: 'LunarLander-v2',
  draw(ctx, frame): void {
    const { width, height } = ctx.canvas;
    const scene = frame.scene, f = frame.step;

    // Metres to pixels: the world [0, W] × [0, H + ABOVE] below the header, centred; y up.
    const viewH = scene.heightM + ABOVE_M;
    const scale = Math.min(width / scene.widthM, (height - HEADER_PX) / viewH);
    const left = (width - scene.widthM * scale) / 2;
    const bottom = height;
    const px = (x: number) => left + x * scale;
    const py = (y: number) => bottom - y * scale;

    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, HEADER_PX);
    ctx.fillStyle = SKY;
    ctx.fillRect(0, HEADER_PX, width, height - HEADER_PX);
    // Outside [0, W] the observation's |x| ≥ 1 ends the episode: shade it.
    ctx.fillStyle = 'rgba(207, 34, 46, 0.25)';
    ctx.fillRect(0, HEADER_PX, Math.max(0, left), height - HEADER_PX);
    ctx.fillRect(px(scene.widthM), HEADER_PX, Math.max(0, width - px(scene.widthM)), height - HEADER_PX);

    // The moon: the terrain polyline, filled down to y = 0.
    ctx.fillStyle = MOON_COLOUR;
    ctx.beginPath();
    ctx.moveTo(px(scene.terrainX[0]), py(0));
    for (let i = 0; i < scene.terrainX.length; i++) ctx.lineTo(px(scene.terrainX[i]), py(scene.terrainY[i]));
    ctx.lineTo(px(scene.terrainX[scene.terrainX.length - 1]), py(0));
    ctx.closePath();
    ctx.fill();

    // The pad and its flags.
    ctx.strokeStyle = PAD;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(px(scene.helipadX1M), py(scene.helipadYM));
    ctx.lineTo(px(scene.helipadX2M), py(scene.helipadYM));
    ctx.stroke();
    for (const x of [scene.helipadX1M, scene.helipadX2M]) {
      const top = scene.helipadYM + FLAG_POLE_M;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(px(x), py(scene.helipadYM));
      ctx.lineTo(px(x), py(top));
      ctx.stroke();
      ctx.fillStyle = PAD;
      ctx.beginPath();
      ctx.moveTo(px(x), py(top));
      ctx.lineTo(px(x), py(top - FLAG_HEIGHT_M));
      ctx.lineTo(px(x + FLAG_LENGTH_M), py(top - FLAG_HEIGHT_M / 2));
      ctx.closePath();
      ctx.fill();
    }

    // The exhaust of the last step's engines (under the bodies: it starts inside the lander).
    const exhaust = (flames: Float32Array, length: number) => {
      const flame = 4 * f;
      if (f === 0 || Number.isNaN(flames[flame])) return;
      const [x, y, dx, dy] = [flames[flame], flames[flame + 1], flames[flame + 2], flames[flame + 3]];
      const n = Math.hypot(dx, dy) || 1;
      const ux = dx / n, uy = dy / n;
      ctx.fillStyle = FLAME_COLOUR;
      ctx.beginPath();
      ctx.moveTo(px(x - uy * FLAME_HALF_WIDTH_M), py(y + ux * FLAME_HALF_WIDTH_M));
      ctx.lineTo(px(x + ux * length), py(y + uy * length));
      ctx.lineTo(px(x + uy * FLAME_HALF_WIDTH_M), py(y - ux * FLAME_HALF_WIDTH_M));
      ctx.closePath();
      ctx.fill();
    };
    if (scene.sideFlames) { // LunarLanderContinuous-v2: `flames` is the main engine's
      exhaust(scene.flames, MAIN_FLAME_M);
      exhaust(scene.sideFlames, SIDE_FLAME_M);
    } else {
      exhaust(scene.flames, f > 0 && scene.actions[f - 1] === scene.actionCodes.main ? MAIN_FLAME_M : SIDE_FLAME_M);
    }

    // Legs, then the lander on top: each polygon placed at its body's origin and angle.
    const body = (b: number, polygon: Float32Array, colour: string) => {
      const o = (3 * f + b) * 3;
      const bx = scene.bodies[o], by = scene.bodies[o + 1], angle = scene.bodies[o + 2];
      const c = Math.cos(angle), s = Math.sin(angle);
      ctx.fillStyle = colour;
      ctx.beginPath();
      for (let i = 0; i < polygon.length; i += 2) {
        const x = bx + c * polygon[i] - s * polygon[i + 1], y = by + s * polygon[i] + c * polygon[i + 1];
        if (i === 0) ctx.moveTo(px(x), py(y)); else ctx.lineTo(px(x), py(y));
      }
      ctx.closePath();
      ctx.fill();
    };
    for (const leg of [0, 1]) body(1 + leg, scene.legPolygon, scene.legContact[2 * f + leg] ? LEG_CONTACT_COLOUR : LEG_COLOUR);
    body(0, scene.landerPolygon, LANDER_COLOUR);

    // Wind (when the task has any): an arrow of the last step's force, full length at windPower.
    const windPower = scene.task.windPower, turbulencePower = scene.task.turbulencePower;
    let taskText = `g ${+scene.task.gravity.toPrecision(3)} m/s²`;
    if (windPower > 0 || turbulencePower > 0) {
      const force = scene.wind[f];
      const y = HEADER_PX + 14, x0 = width / 2;
      const reach = 60 * (windPower > 0 ? force / windPower : 0);
      ctx.strokeStyle = WIND_COLOUR;
      ctx.fillStyle = WIND_COLOUR;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x0, y);
      ctx.lineTo(x0 + reach, y);
      ctx.stroke();
      if (Math.abs(reach) > 3) {
        const tip = x0 + reach, back = Math.sign(reach) * 6;
        ctx.beginPath();
        ctx.moveTo(tip, y);
        ctx.lineTo(tip - back, y - 4);
        ctx.lineTo(tip - back, y + 4);
        ctx.closePath();
        ctx.fill();
      }
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      const acting = `wind ${force.toFixed(1)} N` + (turbulencePower > 0 ? ` · turbulence ${scene.turbulence[f].toFixed(2)} N·m` : '');
      ctx.fillText(f > 0 && force === 0 && scene.turbulence[f] === 0 ? 'no wind while a leg touches' : acting, x0, y + 7);
      ctx.textAlign = 'left';
      taskText += ` · wind ${+windPower.toPrecision(3)} N` + (turbulencePower > 0 ? ` · turb. ${+turbulencePower.toPrecision(3)}` : '');
    }
    header(ctx, `step ${f} · return ${frame.return.toFixed(1)}${endLabel(frame)}`, taskText);

    // How it ended, over the scene.
    if (frame.end === 'terminated' && scene.outcome) {
      ctx.font = '600 15px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = scene.outcome === 'at rest' ? GOOD : DANGER;
      ctx.fillRect(width / 2 - 62, HEADER_PX + 40, 124, 24);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(scene.outcome, width / 2, HEADER_PX + 52);
      ctx.textAlign = 'left';
    }
  },
};
