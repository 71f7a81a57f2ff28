// The state of one LunarLander world: everything a step depends on, as float32 components of a
// lane (structure-of-arrays like the other envs: component k of lane i at base + (k·lanes + i)·4).
// getState/setState copy exactly these components, in this order:
//
//   0..17   bodies lander, legs[0], legs[1], six each: centre of mass x, y (m, world), angle (rad),
//           centre-of-mass velocity x, y (m/s), angular velocity (rad/s) — b2Sweep.c/a and the
//           body's velocities; the body origin (what observations show) is derived from them
//  18..20   sleep time of each body (s), b2Body::m_sleepTime
//  21       awake (1) or asleep (0): the island's b2Body::e_awakeFlag (one island: joints join all)
//  22..31   joint 0 (legs[0]) then joint 1 (legs[1]), five each: accumulated impulse x, y (point
//           constraint), z (limit), motor impulse, limit state (LIMIT_* below) — the warm start
//  32..79   touching contacts: per body, 2 slots of 8 — edge index, point count (0 = slot empty),
//           id key of point 0, of point 1, normal and tangent impulse of point 0, of point 1 (the
//           previous step's manifold, for id matching, warm starting and begin/end events); a
//           body's slots in its contact-list order (newest contact first)
//  80..112  broad phase: for each body b and moon edge e (at 80 + 11b + e), the creation number of
//           their b2Contact (0 = no contact: their fat AABBs do not overlap)
//  113      contacts created so far in this world (the last creation number)
//  114..125 each body's fat AABB in the dynamic tree: lower x, lower y, upper x, upper y (m)
//  126      game_over (1 once the lander body has begun touching the moon)
//  127, 128 ground_contact of legs[0], legs[1] (0/1), as lunar_lander.py's contact listener sets them
//  129      prev_shaping
//  130, 131 wind_idx, torque_idx (integers)
//  132..142 smooth_y[0..10], the terrain heights (m) at chunk_x[i] = 2i (always last)

import { BODY_COUNT, JOINT_COUNT, CHUNKS, EDGE_COUNT, LANDER_SHAPE } from './definition';

export const BODY_STRIDE: i32 = 6;
export const B_CX: i32 = 0;
export const B_CY: i32 = 1;
export const B_ANGLE: i32 = 2;
export const B_VX: i32 = 3;
export const B_VY: i32 = 4;
export const B_OMEGA: i32 = 5;

export const S_BODIES: i32 = 0;
export const S_SLEEP_TIME: i32 = S_BODIES + BODY_COUNT * BODY_STRIDE;
export const S_AWAKE: i32 = S_SLEEP_TIME + BODY_COUNT;

export const JOINT_STRIDE: i32 = 5;
export const J_IMPULSE_X: i32 = 0;
export const J_IMPULSE_Y: i32 = 1;
export const J_IMPULSE_Z: i32 = 2;
export const J_MOTOR_IMPULSE: i32 = 3;
export const J_LIMIT_STATE: i32 = 4;
export const S_JOINTS: i32 = S_AWAKE + 1;

// b2LimitState
export const LIMIT_INACTIVE: i32 = 0;
export const LIMIT_AT_LOWER: i32 = 1;
export const LIMIT_AT_UPPER: i32 = 2;
export const LIMIT_EQUAL: i32 = 3;

/** Contact slots per body: a leg or the lander touches at most two moon edges (where two meet). */
export const SLOTS_PER_BODY: i32 = 2;
export const SLOT_STRIDE: i32 = 8;
export const C_EDGE: i32 = 0;
export const C_POINT_COUNT: i32 = 1;
export const C_ID0: i32 = 2;
export const C_ID1: i32 = 3;
export const C_NORMAL_IMPULSE0: i32 = 4;
export const C_TANGENT_IMPULSE0: i32 = 5;
export const C_NORMAL_IMPULSE1: i32 = 6;
export const C_TANGENT_IMPULSE1: i32 = 7;
export const S_CONTACTS: i32 = S_JOINTS + JOINT_COUNT * JOINT_STRIDE;

export const S_PAIRS: i32 = S_CONTACTS + BODY_COUNT * SLOTS_PER_BODY * SLOT_STRIDE;
export const S_CONTACT_COUNTER: i32 = S_PAIRS + BODY_COUNT * EDGE_COUNT;
export const S_FAT_AABB: i32 = S_CONTACT_COUNTER + 1;
export const AABB_LOWER_X: i32 = 0;
export const AABB_LOWER_Y: i32 = 1;
export const AABB_UPPER_X: i32 = 2;
export const AABB_UPPER_Y: i32 = 3;
export const S_GAME_OVER: i32 = S_FAT_AABB + BODY_COUNT * 4;
export const S_LEG_CONTACT: i32 = S_GAME_OVER + 1;
export const S_PREV_SHAPING: i32 = S_LEG_CONTACT + 2;
export const S_WIND_INDEX: i32 = S_PREV_SHAPING + 1;
export const S_TORQUE_INDEX: i32 = S_WIND_INDEX + 1;
export const S_TERRAIN: i32 = S_TORQUE_INDEX + 1;
export const STATE_DIM: i32 = S_TERRAIN + CHUNKS;

@inline export function bodyComponent(body: i32, c: i32): i32 { return S_BODIES + body * BODY_STRIDE + c; }
@inline export function jointComponent(joint: i32, c: i32): i32 { return S_JOINTS + joint * JOINT_STRIDE + c; }
@inline export function slotComponent(body: i32, slot: i32, c: i32): i32 {
  return S_CONTACTS + (body * SLOTS_PER_BODY + slot) * SLOT_STRIDE + c;
}

@inline export function pairComponent(body: i32, edge: i32): i32 { return S_PAIRS + body * EDGE_COUNT + edge; }
@inline export function fatAabbComponent(body: i32, c: i32): i32 { return S_FAT_AABB + body * 4 + c; }

/** Address of component k of `lane` (stride = lanes·4 bytes). */
@inline export function at(state: usize, stride: usize, lane: i32, k: i32): usize {
  return state + <usize>k * stride + (<usize>lane << 2);
}
@inline export function get(state: usize, stride: usize, lane: i32, k: i32): f32 {
  return load<f32>(at(state, stride, lane, k));
}
@inline export function set(state: usize, stride: usize, lane: i32, k: i32, value: f32): void {
  store<f32>(at(state, stride, lane, k), value);
}

// ---- the layout, for TypeScript (src/envs/lunar-lander.ts reads these exports) ----------------
export const LUNAR_STATE_BODIES: i32 = S_BODIES; // lander, legs[0], legs[1]: cx, cy, angle, vx, vy, ω each
export const LUNAR_BODY_STRIDE: i32 = BODY_STRIDE;
export const LUNAR_STATE_SLEEP_TIME: i32 = S_SLEEP_TIME;
export const LUNAR_STATE_AWAKE: i32 = S_AWAKE;
export const LUNAR_STATE_JOINTS: i32 = S_JOINTS;
export const LUNAR_STATE_CONTACTS: i32 = S_CONTACTS;
export const LUNAR_SLOTS_PER_BODY: i32 = SLOTS_PER_BODY;
export const LUNAR_SLOT_STRIDE: i32 = SLOT_STRIDE;
export const LUNAR_SLOT_POINT_COUNT: i32 = C_POINT_COUNT;
export const LUNAR_STATE_GAME_OVER: i32 = S_GAME_OVER;
export const LUNAR_STATE_LEG_CONTACT: i32 = S_LEG_CONTACT;
export const LUNAR_STATE_PREV_SHAPING: i32 = S_PREV_SHAPING;
export const LUNAR_STATE_WIND_INDEX: i32 = S_WIND_INDEX;
export const LUNAR_STATE_TORQUE_INDEX: i32 = S_TORQUE_INDEX;
export const LUNAR_STATE_TERRAIN: i32 = S_TERRAIN;
/** The lander body's local centre of mass (m, body frame): origin = centre of mass − R(angle)·this. */
export const LUNAR_LANDER_CENTER_X: f32 = LANDER_SHAPE.centroidX;
export const LUNAR_LANDER_CENTER_Y: f32 = LANDER_SHAPE.centroidY;
