// What a picture of a LunarLander world needs, for TypeScript (src/envs/scene.ts reads these
// exports): the world's extent and pad, the bodies' polygons, the terrain's x, the wind profile
// and where an engine fires — all from the one definition of the world and of the rules.

import { FPS, W, H, CHUNKS, HELIPAD_X1, HELIPAD_X2, HELIPAD_Y, BODY_COUNT, bodyShape } from './definition';
import { vertexX, vertexY } from './polygon';
import { chunkX } from './contact_manager';
import { ACTION_NOOP, ACTION_LEFT_ENGINE, ACTION_MAIN_ENGINE, ACTION_RIGHT_ENGINE, windAt, mainEngineOffset, sideEngineOffset,
  sideEngineMount, LaneStep, continuousThrottles, padCentre, PAD_HALF_WIDTH } from './lander';

export const LUNAR_FPS: f32 = FPS;
/** The world Gymnasium shows: [0, W] × [0, H] (m), its viewport divided by SCALE. */
export const LUNAR_WORLD_WIDTH: f32 = W;
export const LUNAR_WORLD_HEIGHT: f32 = H;
export const LUNAR_CHUNKS: i32 = CHUNKS;
export const LUNAR_HELIPAD_X1: f32 = HELIPAD_X1;
export const LUNAR_HELIPAD_X2: f32 = HELIPAD_X2;
export const LUNAR_HELIPAD_Y: f32 = HELIPAD_Y;
export const LUNAR_BODY_COUNT: i32 = BODY_COUNT;
export const LUNAR_ACTION_NOOP: i32 = ACTION_NOOP;
export const LUNAR_ACTION_LEFT_ENGINE: i32 = ACTION_LEFT_ENGINE;
export const LUNAR_ACTION_MAIN_ENGINE: i32 = ACTION_MAIN_ENGINE;
export const LUNAR_ACTION_RIGHT_ENGINE: i32 = ACTION_RIGHT_ENGINE;

/**
 * LunarLanderPad-v0: the x (m) of the pad's left (side 0) or right (side 1) flag for padOffset c,
 * W/2 + c ∓ 2 (LUNAR_HELIPAD_X1, LUNAR_HELIPAD_X2 at c = 0) — the pad the rules shape towards.
 */
export function lunarPadEdgeX(padOffset: f32, side: i32): f32 {
  return <f32>(padCentre(padOffset) + (side == 0 ? -PAD_HALF_WIDTH : PAD_HALF_WIDTH));
}

/** x (m) of terrain point i (the terrain's heights are the state's last CHUNKS components). */
export function lunarChunkX(i: i32): f32 {
  return chunkX(i);
}

/** Vertices of body b's polygon in its body frame (m, counter-clockwise, as the collider uses them). */
export function lunarShapeVertexCount(body: i32): i32 {
  return bodyShape(body).count;
}
export function lunarShapeVertex(body: i32, i: i32, coordinate: i32): f32 {
  const p = bodyShape(body);
  return coordinate == 0 ? vertexX(p, i) : vertexY(p, i);
}

/** The wind force (N) at wind index k for windPower (or the turbulence torque at torque index k for turbulencePower). */
export function lunarWindAt(index: f32, power: f32): f32 {
  return windAt(index, power);
}

const engineOut = memory.data(4 << 3, 8);
/**
 * An engine's firing without dispersion, for a lander origin (x, y) and angle: the address of four
 * f64 — the particle direction ox, oy (m; the lander's impulse is −power·(ox, oy)) and the world
 * point of the impulse — or 0 for noop.
 */
export function lunarEngineFiring(x: f64, y: f64, angle: f64, action: i32): usize {
  const tipX = Math.sin(angle), tipY = Math.cos(angle);
  let o: v128, pointX: f64, pointY: f64;
  if (action == ACTION_MAIN_ENGINE) {
    o = mainEngineOffset(tipX, tipY, 0, 0);
    pointX = x + f64x2.extract_lane(o, 0);
    pointY = y + f64x2.extract_lane(o, 1);
  } else if (action == ACTION_LEFT_ENGINE || action == ACTION_RIGHT_ENGINE) {
    o = sideEngineOffset(tipX, tipY, <f64>(action - ACTION_MAIN_ENGINE), 0, 0);
    const mount = sideEngineMount(tipX, tipY);
    pointX = x + f64x2.extract_lane(o, 0) + f64x2.extract_lane(mount, 0);
    pointY = y + f64x2.extract_lane(o, 1) + f64x2.extract_lane(mount, 1);
  } else {
    return 0;
  }
  store<f64>(engineOut, f64x2.extract_lane(o, 0));
  store<f64>(engineOut, f64x2.extract_lane(o, 1), 8);
  store<f64>(engineOut, pointX, 16);
  store<f64>(engineOut, pointY, 24);
  return engineOut;
}

const throttles = changetype<LaneStep>(memory.data(<i32>offsetof<LaneStep>(), 8));
/**
 * One engine of a LunarLanderContinuous-v2 action [a0, a1] (unclipped), as lunarEngineFiring:
 * the main engine (side = false) or the side engines (side = true) — the address of four f64, the
 * exhaust direction times the engine's throttle (so its length scales the impulse, as for the
 * discrete actions) and the world point of the impulse; or 0 when that engine does not fire.
 */
export function lunarContinuousEngineFiring(x: f64, y: f64, angle: f64, a0: f32, a1: f32, side: bool): usize {
  const step = throttles;
  continuousThrottles(step, a0, a1);
  const throttle = side ? step.sidePower : step.mainPower;
  if (throttle == 0) return 0;
  const tipX = Math.sin(angle), tipY = Math.cos(angle);
  const o = side ? sideEngineOffset(tipX, tipY, step.sideDirection, 0, 0) : mainEngineOffset(tipX, tipY, 0, 0);
  const mount = side ? sideEngineMount(tipX, tipY) : f64x2.splat(0);
  store<f64>(engineOut, f64x2.extract_lane(o, 0) * throttle);
  store<f64>(engineOut, f64x2.extract_lane(o, 1) * throttle, 8);
  store<f64>(engineOut, x + f64x2.extract_lane(o, 0) + f64x2.extract_lane(mount, 0), 16);
  store<f64>(engineOut, y + f64x2.extract_lane(o, 1) + f64x2.extract_lane(mount, 1), 24);
  return engineOut;
}
