// b2ContactManager and b2BroadPhase for one world (lane): which (body, moon edge) pairs have a
// b2Contact, in which order Box2D keeps them, their narrow phase, warm-start impulses matched from
// the previous step's manifold by contact id, and the begin/end contact events of lunar_lander.py's
// ContactDetector.
//
// Why the order matters: lunar_lander.py's leg flags are set by BeginContact and cleared by
// EndContact, so when a leg leaves one edge and touches the next in the same step, the flag ends as
// the later event says; Box2D fires events while walking its contact list, newest contact first,
// and solves a body's contacts in the same newest-first order. A contact is created at the end of
// the step in which the fat AABBs of its shapes start to overlap (b2ContactManager::FindNewContacts,
// pairs taken in (proxyIdA, proxyIdB) order — moon edges were created before the bodies, so edge
// index then body index) and destroyed at the start of the step in which they no longer overlap.
// So each world keeps its bodies' fat AABBs (b2DynamicTree::MoveProxy: fattened by
// b2_aabbExtension and stretched by b2_aabbMultiplier × the displacement whenever the swept AABB
// leaves them) and the creation number of every contact; the moon's edges never move.
//
// Contact slots: each body keeps at most SLOTS_PER_BODY touching contacts (the newest first). Two
// is what a leg or the lander can touch where two chunk edges meet; a third (the bottom edge under a
// terrain point at height ≈ 0) would be ignored, as if that pair did not touch.

import { POLYGON_RADIUS, AABB_EXTENSION, AABB_MULTIPLIER, b2Min, b2Max } from './settings';
import { W, CHUNKS, EDGE_COUNT, BODY_COUNT, BODY_LANDER, bodyShape, pairFriction } from './definition';
import { vertexX, vertexY } from './polygon';
import { Manifold } from './manifold';
import { BATCH_GROUPS } from './body';
import { collideEdgeAndPolygon } from './collide_edge_polygon';
import { rotation, rotSin, rotCos } from './rotation';
import { get, set, bodyComponent, slotComponent, pairComponent, fatAabbComponent, B_CX, B_CY, B_ANGLE,
  S_TERRAIN, S_GAME_OVER, S_LEG_CONTACT, S_CONTACT_COUNTER, AABB_LOWER_X, AABB_LOWER_Y, AABB_UPPER_X, AABB_UPPER_Y,
  SLOTS_PER_BODY, C_EDGE, C_POINT_COUNT, C_ID0, C_ID1, C_NORMAL_IMPULSE0, C_TANGENT_IMPULSE0,
  C_NORMAL_IMPULSE1, C_TANGENT_IMPULSE1 } from './state';

/** Lanes of a SIMD group. */
export const GROUP_LANES: i32 = 4;
/** Manifolds of the lanes of a batch of groups: [laneInBatch][body][slot], in contact-list order. */
export const BATCH_LANES: i32 = GROUP_LANES * BATCH_GROUPS;
const MANIFOLD_BYTES = offsetof<Manifold>();
const manifolds = memory.data(<i32>(BATCH_LANES * BODY_COUNT * SLOTS_PER_BODY) * <i32>offsetof<Manifold>());
/** Where the narrow phase of a touching pair beyond the slots goes (then ignored). */
const overflow = changetype<Manifold>(memory.data(offsetof<Manifold>()));

@inline export function manifoldAt(laneInBatch: i32, body: i32, slot: i32): Manifold {
  return changetype<Manifold>(manifolds + <usize>((laneInBatch * BODY_COUNT + body) * SLOTS_PER_BODY + slot) * MANIFOLD_BYTES);
}

/** Marks lane laneInBatch as touching nothing (its world sleeps and is not collided). */
export function clearManifolds(laneInBatch: i32): void {
  for (let b = 0; b < BODY_COUNT; b++) for (let k = 0; k < SLOTS_PER_BODY; k++) manifoldAt(laneInBatch, b, k).pointCount = 0;
}

/** chunk_x[i] = i·W/(CHUNKS − 1): 2 m apart. */
@inline export function chunkX(i: i32): f32 { return <f32>i * (W / <f32>(CHUNKS - 1)); }

/** Vertex 1 and 2 of moon edge e: the bottom (0, 0)–(W, 0) for e = 0, else chunk e − 1 to chunk e. */
@inline function edgeX1(e: i32): f32 { return e == 0 ? 0 : chunkX(e - 1); }
@inline function edgeX2(e: i32): f32 { return e == 0 ? W : chunkX(e); }
@inline function edgeY1(state: usize, stride: usize, lane: i32, e: i32): f32 { return e == 0 ? 0 : get(state, stride, lane, S_TERRAIN + e - 1); }
@inline function edgeY2(state: usize, stride: usize, lane: i32, e: i32): f32 { return e == 0 ? 0 : get(state, stride, lane, S_TERRAIN + e); }

// ---- broad phase -------------------------------------------------------------------------------

/** A polygon's AABB (the skin radius included) and its body's origin, for one pose. */
@unmanaged class ShapeAabb {
  lowerX: f32; lowerY: f32; upperX: f32; upperY: f32;
  originX: f32; originY: f32;
}
// The two poses synchronizeLane compares (scratch, set and read within one call).
const endAabb = changetype<ShapeAabb>(memory.data(<i32>offsetof<ShapeAabb>()));
const startAabb = changetype<ShapeAabb>(memory.data(<i32>offsetof<ShapeAabb>()));

/**
 * b2PolygonShape::ComputeAABB of body b's polygon with its centre of mass at (cx, cy) and angle a
 * (the skin radius included), into `out` with the body origin.
 */
function shapeAabb(out: ShapeAabb, b: i32, cx: f32, cy: f32, a: f32): void {
  const shape = bodyShape(b);
  const q = rotation(a);
  const s = rotSin(q), c = rotCos(q);
  const originX = cx - (c * shape.centroidX - s * shape.centroidY);
  const originY = cy - (s * shape.centroidX + c * shape.centroidY);
  let lx = f32.MAX_VALUE, ly = f32.MAX_VALUE, ux = -f32.MAX_VALUE, uy = -f32.MAX_VALUE;
  for (let i = 0; i < shape.count; i++) {
    const vx = c * vertexX(shape, i) - s * vertexY(shape, i) + originX;
    const vy = s * vertexX(shape, i) + c * vertexY(shape, i) + originY;
    lx = Mathf.min(lx, vx); ly = Mathf.min(ly, vy); ux = Mathf.max(ux, vx); uy = Mathf.max(uy, vy);
  }
  out.lowerX = lx - POLYGON_RADIUS; out.lowerY = ly - POLYGON_RADIUS; out.upperX = ux + POLYGON_RADIUS; out.upperY = uy + POLYGON_RADIUS;
  out.originX = originX; out.originY = originY;
}

/** b2TestOverlap of body b's fat AABB and moon edge e's (its edge AABB fattened once, at creation). */
function fatOverlap(state: usize, stride: usize, lane: i32, b: i32, e: i32): bool {
  const y1 = edgeY1(state, stride, lane, e), y2 = edgeY2(state, stride, lane, e);
  const elx = Mathf.min(edgeX1(e), edgeX2(e)) - POLYGON_RADIUS - AABB_EXTENSION;
  const ely = Mathf.min(y1, y2) - POLYGON_RADIUS - AABB_EXTENSION;
  const eux = Mathf.max(edgeX1(e), edgeX2(e)) + POLYGON_RADIUS + AABB_EXTENSION;
  const euy = Mathf.max(y1, y2) + POLYGON_RADIUS + AABB_EXTENSION;
  if (eux - get(state, stride, lane, fatAabbComponent(b, AABB_LOWER_X)) < 0) return false;
  if (euy - get(state, stride, lane, fatAabbComponent(b, AABB_LOWER_Y)) < 0) return false;
  if (get(state, stride, lane, fatAabbComponent(b, AABB_UPPER_X)) - elx < 0) return false;
  if (get(state, stride, lane, fatAabbComponent(b, AABB_UPPER_Y)) - ely < 0) return false;
  return true;
}

/**
 * b2ContactManager::FindNewContacts for the bodies in `moved` (bit b): a contact for every pair of
 * a moved body and a moon edge whose fat AABBs overlap and that has none, created in
 * (edge, body) order and numbered by the world's counter.
 */
function findNewContacts(state: usize, stride: usize, lane: i32, moved: i32): void {
  let counter = get(state, stride, lane, S_CONTACT_COUNTER);
  for (let e = 0; e < EDGE_COUNT; e++) {
    for (let b = 0; b < BODY_COUNT; b++) {
      if (!(moved & (1 << b)) || get(state, stride, lane, pairComponent(b, e)) != 0) continue;
      if (!fatOverlap(state, stride, lane, b, e)) continue;
      counter += 1;
      set(state, stride, lane, pairComponent(b, e), counter);
    }
  }
  set(state, stride, lane, S_CONTACT_COUNTER, counter);
}

/** The broad phase of a new world: fat AABBs at the bodies' spawn poses, no contacts yet. */
export function initBroadPhase(state: usize, stride: usize, lane: i32): void {
  for (let b = 0; b < BODY_COUNT; b++) {
    const box = endAabb;
    shapeAabb(box, b, get(state, stride, lane, bodyComponent(b, B_CX)), get(state, stride, lane, bodyComponent(b, B_CY)),
      get(state, stride, lane, bodyComponent(b, B_ANGLE)));
    set(state, stride, lane, fatAabbComponent(b, AABB_LOWER_X), box.lowerX - AABB_EXTENSION);
    set(state, stride, lane, fatAabbComponent(b, AABB_LOWER_Y), box.lowerY - AABB_EXTENSION);
    set(state, stride, lane, fatAabbComponent(b, AABB_UPPER_X), box.upperX + AABB_EXTENSION);
    set(state, stride, lane, fatAabbComponent(b, AABB_UPPER_Y), box.upperY + AABB_EXTENSION);
    for (let e = 0; e < EDGE_COUNT; e++) set(state, stride, lane, pairComponent(b, e), 0);
  }
  set(state, stride, lane, S_CONTACT_COUNTER, 0);
  // The first Step's FindNewContacts (every proxy is new).
  findNewContacts(state, stride, lane, (1 << BODY_COUNT) - 1);
}

/**
 * b2Body::SynchronizeFixtures of every body after a solved step, then FindNewContacts: the swept
 * AABB from the pose at the start of the step (c0x, c0y, a0: f32 [BODY_COUNT] each) to the current
 * one; a body whose fat AABB does not contain it gets a new fat AABB and is queried for new pairs.
 */
export function synchronizeLane(state: usize, stride: usize, lane: i32, c0x: usize, c0y: usize, a0: usize): void {
  let moved = 0;
  for (let b = 0; b < BODY_COUNT; b++) {
    const o = <usize>b << 2;
    const end = endAabb, start = startAabb;
    shapeAabb(end, b, get(state, stride, lane, bodyComponent(b, B_CX)), get(state, stride, lane, bodyComponent(b, B_CY)),
      get(state, stride, lane, bodyComponent(b, B_ANGLE)));
    const lx2 = end.lowerX, ly2 = end.lowerY, ux2 = end.upperX, uy2 = end.upperY, p2x = end.originX, p2y = end.originY;
    // b2AABB::Contains: the fat AABB still holds the swept one — the proxy does not move. The
    // start pose's AABB is always inside the fat AABB (the previous step's swept AABB ended there,
    // and fat AABBs only move to contain swept ones), so the end pose's decides.
    const fatLX = get(state, stride, lane, fatAabbComponent(b, AABB_LOWER_X)), fatLY = get(state, stride, lane, fatAabbComponent(b, AABB_LOWER_Y));
    const fatUX = get(state, stride, lane, fatAabbComponent(b, AABB_UPPER_X)), fatUY = get(state, stride, lane, fatAabbComponent(b, AABB_UPPER_Y));
    if (fatLX <= lx2 && fatLY <= ly2 && ux2 <= fatUX && uy2 <= fatUY) continue;
    shapeAabb(start, b, load<f32>(c0x + o), load<f32>(c0y + o), load<f32>(a0 + o));
    // b2AABB::Combine of the start and end poses' AABBs.
    const lx = b2Min(start.lowerX, lx2), ly = b2Min(start.lowerY, ly2), ux = b2Max(start.upperX, ux2), uy = b2Max(start.upperY, uy2);
    // b2DynamicTree::MoveProxy: extend, then predict the displacement.
    let nlx = lx - AABB_EXTENSION, nly = ly - AABB_EXTENSION, nux = ux + AABB_EXTENSION, nuy = uy + AABB_EXTENSION;
    const dx = AABB_MULTIPLIER * (p2x - start.originX), dy = AABB_MULTIPLIER * (p2y - start.originY);
    if (dx < 0) nlx += dx; else nux += dx;
    if (dy < 0) nly += dy; else nuy += dy;
    set(state, stride, lane, fatAabbComponent(b, AABB_LOWER_X), nlx);
    set(state, stride, lane, fatAabbComponent(b, AABB_LOWER_Y), nly);
    set(state, stride, lane, fatAabbComponent(b, AABB_UPPER_X), nux);
    set(state, stride, lane, fatAabbComponent(b, AABB_UPPER_Y), nuy);
    moved |= 1 << b;
  }
  if (moved != 0) findNewContacts(state, stride, lane, moved);
}

// ---- narrow phase and events -------------------------------------------------------------------

// The contacts of the world being collided, newest first: (creation number, body, edge).
const MAX_CONTACTS: i32 = BODY_COUNT * EDGE_COUNT;
const listNumber = memory.data(MAX_CONTACTS << 2);
const listPair = memory.data(MAX_CONTACTS << 2);

/** Whether body b touched edge e after the previous step (one of its old slots). */
function wasTouching(state: usize, stride: usize, lane: i32, b: i32, e: i32): bool {
  for (let k = 0; k < SLOTS_PER_BODY; k++) {
    if (<i32>get(state, stride, lane, slotComponent(b, k, C_POINT_COUNT)) > 0 && <i32>get(state, stride, lane, slotComponent(b, k, C_EDGE)) == e) return true;
  }
  return false;
}

/** ContactDetector: BeginContact on the lander ends the game; a leg's flag follows its last event. */
@inline function contactEvent(state: usize, stride: usize, lane: i32, b: i32, began: bool): void {
  if (b == BODY_LANDER) {
    if (began) set(state, stride, lane, S_GAME_OVER, 1);
  } else {
    set(state, stride, lane, S_LEG_CONTACT + b - 1, began ? 1 : 0);
  }
}

/**
 * b2ContactManager::Collide for `lane` at the current positions: walks the contacts newest first;
 * destroys those whose fat AABBs no longer overlap; runs the narrow phase of the others into
 * manifoldAt(laneInBatch, ·, ·) (warm-start impulses matched by id); fires begin/end events in that
 * order; then writes the touching contacts to the lane's slots.
 */
export function collideLane(state: usize, stride: usize, lane: i32, laneInBatch: i32): void {
  // The contact list, newest first (insertion sort: a handful of contacts).
  let n = 0;
  for (let b = 0; b < BODY_COUNT; b++) {
    for (let e = 0; e < EDGE_COUNT; e++) {
      const number = get(state, stride, lane, pairComponent(b, e));
      if (number == 0) continue;
      let i = n;
      while (i > 0 && load<f32>(listNumber + (<usize>(i - 1) << 2)) < number) {
        store<f32>(listNumber + (<usize>i << 2), load<f32>(listNumber + (<usize>(i - 1) << 2)));
        store<i32>(listPair + (<usize>i << 2), load<i32>(listPair + (<usize>(i - 1) << 2)));
        i--;
      }
      store<f32>(listNumber + (<usize>i << 2), number);
      store<i32>(listPair + (<usize>i << 2), b * EDGE_COUNT + e);
      n++;
    }
  }

  let used0 = 0, used1 = 0, used2 = 0; // slots filled per body
  for (let i = 0; i < n; i++) {
    const pair = load<i32>(listPair + (<usize>i << 2));
    const b = pair / EDGE_COUNT, e = pair % EDGE_COUNT;
    const touchedBefore = wasTouching(state, stride, lane, b, e);
    if (!fatOverlap(state, stride, lane, b, e)) {
      // b2ContactManager::Destroy (EndContact if it was touching).
      set(state, stride, lane, pairComponent(b, e), 0);
      if (touchedBefore) contactEvent(state, stride, lane, b, false);
      continue;
    }
    const used = b == 0 ? used0 : b == 1 ? used1 : used2;
    const m = used < SLOTS_PER_BODY ? manifoldAt(laneInBatch, b, used) : overflow;
    const angle = get(state, stride, lane, bodyComponent(b, B_ANGLE));
    const q = rotation(angle);
    const s = rotSin(q), c = rotCos(q);
    const shape = bodyShape(b);
    const pX = get(state, stride, lane, bodyComponent(b, B_CX)) - (c * shape.centroidX - s * shape.centroidY);
    const pY = get(state, stride, lane, bodyComponent(b, B_CY)) - (s * shape.centroidX + c * shape.centroidY);
    collideEdgeAndPolygon(m, edgeX1(e), edgeY1(state, stride, lane, e), edgeX2(e), edgeY2(state, stride, lane, e), shape, pX, pY, c, s);
    const touching = m.pointCount > 0 && used < SLOTS_PER_BODY;
    if (touching) {
      m.edge = e;
      m.friction = pairFriction(b, e);
      // b2Contact::Update: each new point takes the impulses of the old point with its id.
      m.normalImpulse0 = 0; m.tangentImpulse0 = 0; m.normalImpulse1 = 0; m.tangentImpulse1 = 0;
      for (let old = 0; old < SLOTS_PER_BODY; old++) {
        const oldCount = <i32>get(state, stride, lane, slotComponent(b, old, C_POINT_COUNT));
        if (oldCount <= 0 || <i32>get(state, stride, lane, slotComponent(b, old, C_EDGE)) != e) continue;
        for (let j = 0; j < min(oldCount, 2); j++) {
          const oldId = <i32>get(state, stride, lane, slotComponent(b, old, C_ID0 + j));
          const normalImpulse = get(state, stride, lane, slotComponent(b, old, j == 0 ? C_NORMAL_IMPULSE0 : C_NORMAL_IMPULSE1));
          const tangentImpulse = get(state, stride, lane, slotComponent(b, old, j == 0 ? C_TANGENT_IMPULSE0 : C_TANGENT_IMPULSE1));
          if (oldId == m.id0) { m.normalImpulse0 = normalImpulse; m.tangentImpulse0 = tangentImpulse; }
          else if (m.pointCount == 2 && oldId == m.id1) { m.normalImpulse1 = normalImpulse; m.tangentImpulse1 = tangentImpulse; }
        }
      }
      if (b == 0) used0++; else if (b == 1) used1++; else used2++;
    }
    if (touching && !touchedBefore) contactEvent(state, stride, lane, b, true);
    if (!touching && touchedBefore) contactEvent(state, stride, lane, b, false);
  }

  // The touching contacts become the slots (their impulses are overwritten by the solver's store).
  for (let b = 0; b < BODY_COUNT; b++) {
    const used = b == 0 ? used0 : b == 1 ? used1 : used2;
    if (used == 0 && get(state, stride, lane, slotComponent(b, 0, C_POINT_COUNT)) == 0 && get(state, stride, lane, slotComponent(b, 1, C_POINT_COUNT)) == 0) {
      // Nothing touched before nor now: the slots are empty already (their other values unused).
      manifoldAt(laneInBatch, b, 0).pointCount = 0;
      manifoldAt(laneInBatch, b, 1).pointCount = 0;
      continue;
    }
    for (let k = 0; k < SLOTS_PER_BODY; k++) {
      const m = manifoldAt(laneInBatch, b, k);
      const touching = k < used;
      if (!touching) m.pointCount = 0;
      set(state, stride, lane, slotComponent(b, k, C_EDGE), touching ? <f32>m.edge : 0);
      set(state, stride, lane, slotComponent(b, k, C_POINT_COUNT), touching ? <f32>m.pointCount : 0);
      set(state, stride, lane, slotComponent(b, k, C_ID0), touching ? <f32>m.id0 : 0);
      set(state, stride, lane, slotComponent(b, k, C_ID1), touching && m.pointCount == 2 ? <f32>m.id1 : 0);
      set(state, stride, lane, slotComponent(b, k, C_NORMAL_IMPULSE0), touching ? m.normalImpulse0 : 0);
      set(state, stride, lane, slotComponent(b, k, C_TANGENT_IMPULSE0), touching ? m.tangentImpulse0 : 0);
      set(state, stride, lane, slotComponent(b, k, C_NORMAL_IMPULSE1), touching ? m.normalImpulse1 : 0);
      set(state, stride, lane, slotComponent(b, k, C_TANGENT_IMPULSE1), touching ? m.tangentImpulse1 : 0);
    }
  }
}
