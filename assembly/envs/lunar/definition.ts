// The world of Gymnasium's LunarLander (gymnasium/envs/box2d/lunar_lander.py, v2 = v3 without wind
// differences): its constants, and the bodies, fixtures and joints its reset() creates. Every
// world has this one topology — a static "moon" of 11 edges, the lander, two legs, two revolute
// joints — so the physics can lay worlds out as structure-of-arrays and loop over them in SIMD.

import { Polygon, newPolygon, polygonSet, polygonSetAsBox, polygonComputeMass } from './polygon';

// ---- lunar_lander.py's constants ---------------------------------------------------------------
export const FPS: f32 = 50.0;
export const SCALE: f32 = 30.0; // pixels per metre
export const VIEWPORT_W: f32 = 600.0;
export const VIEWPORT_H: f32 = 400.0;
export const W: f32 = VIEWPORT_W / SCALE; // 20 m
export const H: f32 = VIEWPORT_H / SCALE; // 13.333 m
export const MAIN_ENGINE_POWER: f32 = 13.0;
export const SIDE_ENGINE_POWER: f32 = 0.6;
export const INITIAL_RANDOM: f32 = 1000.0; // N: the initial push is U(−1000, 1000) per axis
export const LEG_AWAY: f32 = 20.0; // px
export const LEG_DOWN: f32 = 18.0; // px
export const LEG_W: f32 = 2.0; // px, half width of a leg box
export const LEG_H: f32 = 8.0; // px, half height
export const LEG_SPRING_TORQUE: f32 = 40.0; // N·m, the legs' maxMotorTorque
export const SIDE_ENGINE_HEIGHT: f32 = 14.0; // px
export const SIDE_ENGINE_AWAY: f32 = 12.0; // px
export const MAIN_ENGINE_Y_LOCATION: f32 = 4.0; // px (a literal 4 in v2)
export const CHUNKS: i32 = 11; // terrain points; 10 chunk edges between them
export const HELIPAD_Y: f32 = H / 4.0;
export const HELIPAD_X1: f32 = W / <f32>(CHUNKS - 1) * <f32>(CHUNKS / 2 - 1); // chunk_x[4] = 8 m
export const HELIPAD_X2: f32 = W / <f32>(CHUNKS - 1) * <f32>(CHUNKS / 2 + 1); // chunk_x[6] = 12 m
export const TERRAIN_SMOOTHING: f64 = 0.33; // smooth_y[i] = 0.33·(h[i−1] + h[i] + h[i+1]); not 1/3
export const INITIAL_X: f32 = VIEWPORT_W / SCALE / 2.0;
export const INITIAL_Y: f32 = VIEWPORT_H / SCALE;
export const LANDER_DENSITY: f64 = 5.0;
export const LEG_DENSITY: f64 = 1.0;
// Fixture frictions; Box2D mixes a pair's as sqrt(f1·f2) (b2MixFriction). Restitution is 0 for
// every fixture (b2MixRestitution takes the max), so the contact solver has no restitution bias.
export const LANDER_FRICTION: f32 = 0.1;
export const LEG_FRICTION: f32 = 0.2; // fixtureDef's default
export const MOON_BOTTOM_FRICTION: f32 = 0.2; // the (0, 0)–(W, 0) edge keeps the default
export const MOON_CHUNK_FRICTION: f32 = 0.1;

// ---- bodies, fixtures, filters -----------------------------------------------------------------
// Bodies of a world, in lunar_lander.py's creation order (the moon is static and has no index).
export const BODY_LANDER: i32 = 0;
export const BODY_LEG0: i32 = 1; // legs[0]: i = −1, spawned on the +x side
export const BODY_LEG1: i32 = 2; // legs[1]: i = +1
export const BODY_COUNT: i32 = 3;
// Edges of the moon, in creation order: the bottom edge, then the 10 chunk edges.
export const EDGE_COUNT: i32 = CHUNKS;

// b2Filter of each fixture (categoryBits, maskBits); groupIndex is 0 everywhere.
export const MOON_CATEGORY: u16 = 0x0001;
export const MOON_MASK: u16 = 0xffff;
export const LANDER_CATEGORY: u16 = 0x0010;
export const LANDER_MASK: u16 = 0x0001;
export const LEG_CATEGORY: u16 = 0x0020;
export const LEG_MASK: u16 = 0x0001;

/** b2ContactFilter::ShouldCollide with groupIndex 0. */
export function shouldCollide(categoryA: u16, maskA: u16, categoryB: u16, maskB: u16): bool {
  return (maskA & categoryB) != 0 && (categoryA & maskB) != 0;
}

@inline export function bodyCategory(body: i32): u16 { return body == BODY_LANDER ? LANDER_CATEGORY : LEG_CATEGORY; }
@inline export function bodyMask(body: i32): u16 { return body == BODY_LANDER ? LANDER_MASK : LEG_MASK; }

/**
 * The filters leave exactly the pairs this subset solves: every body against every moon edge
 * (edge–polygon manifolds), and no body against another (no polygon–polygon collider here; the
 * joints' collideConnected is false as well). Checked once at start.
 */
function checkFilters(): void {
  for (let a = 0; a < BODY_COUNT; a++) {
    assert(shouldCollide(MOON_CATEGORY, MOON_MASK, bodyCategory(a), bodyMask(a)), 'a body must collide with the moon');
    for (let b = a + 1; b < BODY_COUNT; b++) {
      assert(!shouldCollide(bodyCategory(a), bodyMask(a), bodyCategory(b), bodyMask(b)), 'bodies must not collide with each other');
    }
  }
}

/** Friction of the contact between `body` and moon edge `edge` (b2MixFriction). */
export function pairFriction(body: i32, edge: i32): f32 {
  const bodyFriction = body == BODY_LANDER ? LANDER_FRICTION : LEG_FRICTION;
  const edgeFriction = edge == 0 ? MOON_BOTTOM_FRICTION : MOON_CHUNK_FRICTION;
  return Mathf.sqrt(bodyFriction * edgeFriction);
}

// The shapes, built at start. LANDER_POLY in pixels, divided by SCALE.
export const LANDER_SHAPE: Polygon = newPolygon();
export const LEG_SHAPE: Polygon = newPolygon();

function buildShapes(): void {
  const xs: StaticArray<f64> = [-14, -17, -17, 17, 17, 14];
  const ys: StaticArray<f64> = [17, 0, -10, -10, 0, 17];
  for (let i = 0; i < xs.length; i++) { xs[i] /= <f64>SCALE; ys[i] /= <f64>SCALE; }
  polygonSet(LANDER_SHAPE, xs, ys);
  polygonComputeMass(LANDER_SHAPE, LANDER_DENSITY);
  polygonSetAsBox(LEG_SHAPE, <f64>LEG_W / <f64>SCALE, <f64>LEG_H / <f64>SCALE);
  polygonComputeMass(LEG_SHAPE, LEG_DENSITY);
  checkFilters();
}
buildShapes();

@inline export function bodyShape(body: i32): Polygon { return body == BODY_LANDER ? LANDER_SHAPE : LEG_SHAPE; }

// ---- the legs' revolute joints -----------------------------------------------------------------
// revoluteJointDef(bodyA = lander, bodyB = leg, localAnchorA = (0, 0), localAnchorB =
// (i·LEG_AWAY/SCALE, LEG_DOWN/SCALE), enableMotor, enableLimit, maxMotorTorque = LEG_SPRING_TORQUE,
// motorSpeed = 0.3·i); limits [0.4, 0.9] for i = −1 and [−0.9, −0.4] for i = +1. pybox2d's
// revoluteJointDef(bodyA=…, bodyB=…) sets referenceAngle = bodyB.angle − bodyA.angle when none is
// given, so the reference angle is the leg's spawn angle i·0.05, and the limits bound
// (leg angle − lander angle − i·0.05).
export const JOINT_COUNT: i32 = 2; // joint j holds legs[j] (body 1 + j), i = 2j − 1
export const JOINT_MOTOR_SPEED: f32 = 0.3; // rad/s, times i
export const JOINT_LIMIT_NEAR: f32 = 0.4; // |angle| of the limit the motor drives the leg against
export const JOINT_LIMIT_FAR: f32 = 0.9;
export const LEG_SPAWN_ANGLE: f32 = 0.05; // rad, times i

/** i ∈ {−1, +1} of lunar_lander.py's leg loop for joint (and leg) j. */
@inline export function legSign(j: i32): f32 { return j == 0 ? -1.0 : 1.0; }
@inline export function jointLowerAngle(j: i32): f32 { return j == 0 ? JOINT_LIMIT_NEAR : -JOINT_LIMIT_FAR; }
@inline export function jointUpperAngle(j: i32): f32 { return j == 0 ? JOINT_LIMIT_FAR : -JOINT_LIMIT_NEAR; }
@inline export function jointLocalAnchorBX(j: i32): f32 { return legSign(j) * LEG_AWAY / SCALE; }
export const JOINT_LOCAL_ANCHOR_B_Y: f32 = LEG_DOWN / SCALE;

/**
 * b2RevoluteJointDef: what a revolute joint is made of (constant for the lander's joints). The
 * scalar joint (RevoluteJoint) and the four-world one (Joint4) extend it, so both are filled by
 * setLegJointDefinition.
 */
@unmanaged export class RevoluteJointDef {
  localAnchorAX: f32; localAnchorAY: f32;
  localAnchorBX: f32; localAnchorBY: f32;
  referenceAngle: f32;
  lowerAngle: f32; upperAngle: f32;
  motorSpeed: f32; maxMotorTorque: f32;
}

/** lunar_lander.py's revoluteJointDef for legs[j] (see above). */
export function setLegJointDefinition(def: RevoluteJointDef, j: i32): void {
  def.localAnchorAX = 0; def.localAnchorAY = 0;
  def.localAnchorBX = jointLocalAnchorBX(j); def.localAnchorBY = JOINT_LOCAL_ANCHOR_B_Y;
  def.referenceAngle = legSign(j) * LEG_SPAWN_ANGLE - 0; // bodyB.angle − bodyA.angle at creation
  def.lowerAngle = jointLowerAngle(j); def.upperAngle = jointUpperAngle(j);
  def.motorSpeed = JOINT_MOTOR_SPEED * legSign(j);
  def.maxMotorTorque = LEG_SPRING_TORQUE;
}
