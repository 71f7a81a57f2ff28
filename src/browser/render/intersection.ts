// Intersection-v0: state [egoPosition, egoSpeed, otherPosition, otherSpeed] — front bumpers in
// metres from the conflict zone's entry (negative while approaching), speeds in m/s. The ego drives
// left to right, the other car top to bottom; the zone is the 4 m square where the roads cross, and
// a car occupies it while 0 ≤ p ≤ 4 + 5 m (zone width + car length). Colours follow the outcome.
import { header, endLabel, MUTED, type Renderer, type RenderFrame } from './types';

const ZONE_M = 4;
const CAR_LENGTH_M = 5;
const CAR_WIDTH_M = 2;
const VIEW_BEFORE_M = 48; // how far before the zone entry the view starts
const VIEW_AFTER_M = 14;

export const intersectionRenderer: Renderer = {
  envId: 'Intersection-v0',
  stepSeconds: 0.2, // Δt
  draw(ctx: CanvasRenderingContext2D, frame: RenderFrame): void {
    const { width, height } = ctx.canvas;
    const [egoP, egoV, otherP, otherV] = frame.state;
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = '#eef3ea';
    ctx.fillRect(0, 0, width, height);

    // Metres to pixels: the zone's top-left corner at (cx, cy); the ego road runs along y, the other along x.
    const span = VIEW_BEFORE_M + ZONE_M + VIEW_AFTER_M;
    const scale = Math.min((width - 16) / span, (height - 40) / span);
    const cx = (width - span * scale) / 2 + VIEW_BEFORE_M * scale;
    const cy = 30 + VIEW_BEFORE_M * scale;
    const zone = ZONE_M * scale;

    // Roads and the conflict zone.
    ctx.fillStyle = '#d0d7de';
    ctx.fillRect(0, cy, width, zone);
    ctx.fillRect(cx, 0, zone, height);
    const bothIn = inZone(egoP) && inZone(otherP);
    ctx.fillStyle = bothIn ? '#ff8182' : '#f4c7c3';
    ctx.fillRect(cx, cy, zone, zone);

    // Cars: the front bumper at p, the body behind it. Ego rightwards, other downwards.
    const carW = CAR_WIDTH_M * scale, carL = CAR_LENGTH_M * scale;
    ctx.fillStyle = '#4e79a7';
    ctx.fillRect(cx + egoP * scale - carL, cy + (zone - carW) / 2, carL, carW);
    ctx.fillStyle = '#e15759';
    ctx.fillRect(cx + (zone - carW) / 2, cy + otherP * scale - carL, carW, carL);

    header(ctx, `t ${(frame.step * 0.2).toFixed(1)} s · return ${frame.return.toFixed(1)}${endLabel(frame)}`, `other driver β = ${(frame.task.aggressiveness ?? 0).toFixed(2)}`);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = MUTED;
    ctx.textBaseline = 'top';
    ctx.fillText(`ego ${egoV.toFixed(1)} m/s`, 8, cy + zone + 6);
    ctx.fillText(`other ${otherV.toFixed(1)} m/s`, cx + zone + 6, 30);
    if (frame.end === 'terminated') {
      ctx.font = '600 13px system-ui, sans-serif';
      ctx.fillStyle = bothIn || frame.reward < 0 ? '#cf222e' : '#1a7f37';
      ctx.fillText(frame.reward < -50 ? 'collision' : 'crossed', cx + zone + 6, cy + zone + 6);
    }
  },
};

/** A car is in the zone while its front is past the entry and its rear not past the exit. */
function inZone(p: number): boolean {
  return p >= 0 && p <= ZONE_M + CAR_LENGTH_M;
}
