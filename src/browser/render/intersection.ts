// Intersection-v0: the ego car drives left to right, the other car top to bottom; the conflict zone
// is the square where the roads cross, red while both cars are in it. Positions are front bumpers
// relative to the zone entry, so a car's body is drawn behind its bumper. The zone's side, a car's
// length and the farthest start come from the scene (the module's ZONE_WIDTH, VEHICLE_LENGTH and
// RESET_POSITION_LOW); a car's width is a drawing choice (the physics is one-dimensional).
// IntersectionOccluded-v0 (scene.sightDistanceM set): a building on the corner between the two
// approaches, a mark on the other road where the ego starts to see that car, and the other car
// drawn faded while it is hidden from the ego.
import { clear, header, endLabel, MUTED, DANGER, GOOD, type Renderer } from './types';
import type { IntersectionScene } from '../../envs/scene';

const CAR_WIDTH_M = 2; // drawn size only
const VIEW_MARGIN_M = 3; // room before the farthest start
const VIEW_AFTER_M = 14; // room after the zone
const BUILDING_SETBACK_M = 1; // drawn gap between the building and the roads
const HIDDEN_ALPHA = 0.3; // the other car's opacity while the ego cannot see it

export const intersectionRenderer: Renderer<IntersectionScene> = {
  envId: 'Intersection-v0',
  draw(ctx, frame): void {
    const { width, height } = ctx.canvas;
    const scene = frame.scene, f = frame.step;
    const egoP = scene.egoPosition[f], otherP = scene.otherPosition[f];
    clear(ctx, '#eef3ea');

    // Metres to pixels: the zone's top-left corner at (cx, cy); the ego road runs along y, the other along x.
    const before = -scene.resetPositionLowM + VIEW_MARGIN_M;
    const span = before + scene.zoneWidthM + VIEW_AFTER_M;
    const scale = Math.min((width - 16) / span, (height - 40) / span);
    const cx = (width - span * scale) / 2 + before * scale;
    const cy = 30 + before * scale;
    const zone = scene.zoneWidthM * scale;
    const inZone = (p: number) => p >= 0 && p <= scene.zoneWidthM + scene.vehicleLengthM;

    // Roads and the conflict zone.
    ctx.fillStyle = '#d0d7de';
    ctx.fillRect(0, cy, width, zone);
    ctx.fillRect(cx, 0, zone, height);
    const bothIn = inZone(egoP) && inZone(otherP);
    ctx.fillStyle = bothIn ? '#ff8182' : '#f4c7c3';
    ctx.fillRect(cx, cy, zone, zone);

    // The blind corner: a building up to the roads, and the sight mark across the other road.
    const sight = scene.sightDistanceM;
    if (sight !== null) {
      const setback = BUILDING_SETBACK_M * scale;
      ctx.fillStyle = '#a9a29a';
      ctx.fillRect(0, 0, cx - setback, cy - setback);
      ctx.strokeStyle = MUTED;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(cx, cy - sight * scale);
      ctx.lineTo(cx + zone, cy - sight * scale);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    // Cars: the front bumper at p, the body behind it. Ego rightwards, other downwards.
    const carW = CAR_WIDTH_M * scale, carL = scene.vehicleLengthM * scale;
    ctx.fillStyle = '#4e79a7';
    ctx.fillRect(cx + egoP * scale - carL, cy + (zone - carW) / 2, carL, carW);
    ctx.fillStyle = '#e15759';
    if (sight !== null && otherP < -sight) ctx.globalAlpha = HIDDEN_ALPHA; // hidden ⇔ p_o < −sight, as the module decides
    ctx.fillRect(cx + (zone - carW) / 2, cy + otherP * scale - carL, carW, carL);
    ctx.globalAlpha = 1;

    header(ctx, `t ${(f * scene.stepSeconds).toFixed(1)} s · return ${frame.return.toFixed(1)}${endLabel(frame)}`, `other driver β = ${scene.task.aggressiveness.toFixed(2)}`);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = MUTED;
    ctx.textBaseline = 'top';
    ctx.fillText(`ego ${scene.egoSpeed[f].toFixed(1)} m/s`, 8, cy + zone + 6);
    ctx.fillText(`other ${scene.otherSpeed[f].toFixed(1)} m/s`, cx + zone + 6, 30);
    if (frame.end === 'terminated') {
      ctx.font = '600 13px system-ui, sans-serif';
      ctx.fillStyle = scene.outcome === 'collision' ? DANGER : GOOD;
      ctx.fillText(scene.outcome ?? 'ended', cx + zone + 6, cy + zone + 6);
    }
  },
};
