// b2ContactManager::Collide and b2Contact::Update for one world (lane): the narrow phase of every
// (body, moon edge) pair whose bounding boxes overlap, warm-start impulses matched from the previous
// step's manifold by contact id, and the begin/end contact events of lunar_lander.py's
// ContactDetector.
//
// Broad phase: Box2D keeps a contact for every pair whose fattened AABBs overlap and runs the
// narrow phase on it at the start of each step; a pair only counts as touching when the narrow
// phase gives points, which needs the skin-inflated tight AABBs to overlap. Testing those tight
// boxes here gives the same touching pairs (a pair this skips has no points), so the dynamic tree
// is not needed for 3 bodies and 11 edges.
//
// Contact slots: each body keeps at most SLOTS_PER_BODY touching edges (the lowest edge indices
// first). Two is what a leg or the lander can touch where two chunk edges meet; a third (the
// bottom edge under a terrain point at height ≈ 0) would be dropped, as if that pair did not touch.
//
// Events: lunar_lander.py sets game_over when a contact with the lander body begins, and sets or
// clears a leg's ground_contact when one of its contacts begins or ends. Box2D reports them in its
// contact-list order; here a body's end events come before its begin events within a step (they
// differ only when one leg leaves one edge and touches another in the same step).

import { POLYGON_RADIUS } from './settings';
import { W, CHUNKS, EDGE_COUNT, BODY_COUNT, BODY_LANDER, bodyShape, pairFriction } from './definition';
import { vertexX, vertexY } from './polygon';
import { Manifold } from './manifold';
import { collideEdgeAndPolygon } from './collide_edge_polygon';
import { rotate, rotSin, rotCos } from './rotation';
import { get, set, bodyComponent, slotComponent, B_CX, B_CY, B_ANGLE, S_TERRAIN, S_GAME_OVER, S_LEG_CONTACT,
  SLOTS_PER_BODY, C_EDGE, C_POINT_COUNT, C_ID0, C_ID1, C_NORMAL_IMPULSE0, C_TANGENT_IMPULSE0,
  C_NORMAL_IMPULSE1, C_TANGENT_IMPULSE1 } from './state';

/** Manifolds of the lanes of a SIMD group: [laneInGroup][body][slot]. */
export const GROUP_LANES: i32 = 4;
const MANIFOLD_BYTES = offsetof<Manifold>();
const manifolds = memory.data(<i32>(GROUP_LANES * BODY_COUNT * SLOTS_PER_BODY) * <i32>offsetof<Manifold>());

@inline export function manifoldAt(laneInGroup: i32, body: i32, slot: i32): Manifold {
  return changetype<Manifold>(manifolds + <usize>((laneInGroup * BODY_COUNT + body) * SLOTS_PER_BODY + slot) * MANIFOLD_BYTES);
}

/** Marks lane laneInGroup as touching nothing (its world sleeps and is not collided). */
export function clearManifolds(laneInGroup: i32): void {
  for (let b = 0; b < BODY_COUNT; b++) for (let k = 0; k < SLOTS_PER_BODY; k++) manifoldAt(laneInGroup, b, k).pointCount = 0;
}

/** chunk_x[i] = i·W/(CHUNKS − 1): 2 m apart. */
@inline export function chunkX(i: i32): f32 { return <f32>i * (W / <f32>(CHUNKS - 1)); }

/** Vertex 1 and 2 of moon edge e: the bottom (0, 0)–(W, 0) for e = 0, else chunk e − 1 to chunk e. */
@inline function edgeX1(e: i32): f32 { return e == 0 ? 0 : chunkX(e - 1); }
@inline function edgeX2(e: i32): f32 { return e == 0 ? W : chunkX(e); }
@inline function edgeY1(state: usize, stride: usize, lane: i32, e: i32): f32 { return e == 0 ? 0 : get(state, stride, lane, S_TERRAIN + e - 1); }
@inline function edgeY2(state: usize, stride: usize, lane: i32, e: i32): f32 { return e == 0 ? 0 : get(state, stride, lane, S_TERRAIN + e); }

/** What the last collideLane call saw begin: bit b set when a contact of body b began. */
export let beganBodies: i32 = 0;

/**
 * The narrow phase of `lane` for the current positions: fills manifoldAt(laneInGroup, ·, ·) with
 * the touching pairs (warm-start impulses matched), writes them to the lane's contact slots, and
 * applies the begin/end events to game_over and the legs' ground contact.
 */
export function collideLane(state: usize, stride: usize, lane: i32, laneInGroup: i32): void {
  beganBodies = 0;
  for (let b = 0; b < BODY_COUNT; b++) {
    const shape = bodyShape(b);
    const angle = get(state, stride, lane, bodyComponent(b, B_ANGLE));
    rotate(angle);
    const s = rotSin, c = rotCos;
    // b2Body::SynchronizeTransform: the origin from the centre of mass.
    const pX = get(state, stride, lane, bodyComponent(b, B_CX)) - (c * shape.centroidX - s * shape.centroidY);
    const pY = get(state, stride, lane, bodyComponent(b, B_CY)) - (s * shape.centroidX + c * shape.centroidY);
    // b2PolygonShape::ComputeAABB
    let lowerX = f32.MAX_VALUE, lowerY = f32.MAX_VALUE, upperX = -f32.MAX_VALUE, upperY = -f32.MAX_VALUE;
    for (let i = 0; i < shape.count; i++) {
      const vx = c * vertexX(shape, i) - s * vertexY(shape, i) + pX;
      const vy = s * vertexX(shape, i) + c * vertexY(shape, i) + pY;
      lowerX = Mathf.min(lowerX, vx); lowerY = Mathf.min(lowerY, vy);
      upperX = Mathf.max(upperX, vx); upperY = Mathf.max(upperY, vy);
    }
    // Both skins: the polygon's and the edge's.
    const margin: f32 = 2.0 * POLYGON_RADIUS;
    lowerX -= margin; lowerY -= margin; upperX += margin; upperY += margin;

    let count = 0;
    for (let e = 0; e < EDGE_COUNT && count < SLOTS_PER_BODY; e++) {
      const x1 = edgeX1(e), x2 = edgeX2(e);
      const y1 = edgeY1(state, stride, lane, e), y2 = edgeY2(state, stride, lane, e);
      if (upperX < Mathf.min(x1, x2) || lowerX > Mathf.max(x1, x2) || upperY < Mathf.min(y1, y2) || lowerY > Mathf.max(y1, y2)) continue;
      const m = manifoldAt(laneInGroup, b, count);
      collideEdgeAndPolygon(m, x1, y1, x2, y2, shape, pX, pY, c, s);
      if (m.pointCount == 0) continue;
      m.edge = e;
      m.friction = pairFriction(b, e);
      count++;
    }
    for (let k = count; k < SLOTS_PER_BODY; k++) manifoldAt(laneInGroup, b, k).pointCount = 0;

    // b2Contact::Update: impulses of the old points with the same id; events against the old slots.
    let ended = false, began = false;
    for (let k = 0; k < count; k++) {
      const m = manifoldAt(laneInGroup, b, k);
      m.normalImpulse0 = 0; m.tangentImpulse0 = 0; m.normalImpulse1 = 0; m.tangentImpulse1 = 0;
      let wasTouching = false;
      for (let old = 0; old < SLOTS_PER_BODY; old++) {
        const oldCount = <i32>get(state, stride, lane, slotComponent(b, old, C_POINT_COUNT));
        if (oldCount <= 0 || <i32>get(state, stride, lane, slotComponent(b, old, C_EDGE)) != m.edge) continue;
        wasTouching = true;
        for (let j = 0; j < min(oldCount, 2); j++) {
          const oldId = <i32>get(state, stride, lane, slotComponent(b, old, C_ID0 + j));
          const normalImpulse = get(state, stride, lane, slotComponent(b, old, j == 0 ? C_NORMAL_IMPULSE0 : C_NORMAL_IMPULSE1));
          const tangentImpulse = get(state, stride, lane, slotComponent(b, old, j == 0 ? C_TANGENT_IMPULSE0 : C_TANGENT_IMPULSE1));
          if (oldId == m.id0) { m.normalImpulse0 = normalImpulse; m.tangentImpulse0 = tangentImpulse; }
          else if (m.pointCount == 2 && oldId == m.id1) { m.normalImpulse1 = normalImpulse; m.tangentImpulse1 = tangentImpulse; }
        }
      }
      if (!wasTouching) began = true;
    }
    for (let old = 0; old < SLOTS_PER_BODY; old++) {
      if (<i32>get(state, stride, lane, slotComponent(b, old, C_POINT_COUNT)) <= 0) continue;
      const oldEdge = <i32>get(state, stride, lane, slotComponent(b, old, C_EDGE));
      let stillTouching = false;
      for (let k = 0; k < count; k++) if (manifoldAt(laneInGroup, b, k).edge == oldEdge) stillTouching = true;
      if (!stillTouching) ended = true;
    }
    // The new manifolds become the slots (their impulses are overwritten by the solver's store).
    for (let k = 0; k < SLOTS_PER_BODY; k++) {
      const m = manifoldAt(laneInGroup, b, k);
      const touching = k < count;
      set(state, stride, lane, slotComponent(b, k, C_EDGE), touching ? <f32>m.edge : 0);
      set(state, stride, lane, slotComponent(b, k, C_POINT_COUNT), touching ? <f32>m.pointCount : 0);
      set(state, stride, lane, slotComponent(b, k, C_ID0), touching ? <f32>m.id0 : 0);
      set(state, stride, lane, slotComponent(b, k, C_ID1), touching && m.pointCount == 2 ? <f32>m.id1 : 0);
      set(state, stride, lane, slotComponent(b, k, C_NORMAL_IMPULSE0), touching ? m.normalImpulse0 : 0);
      set(state, stride, lane, slotComponent(b, k, C_TANGENT_IMPULSE0), touching ? m.tangentImpulse0 : 0);
      set(state, stride, lane, slotComponent(b, k, C_NORMAL_IMPULSE1), touching ? m.normalImpulse1 : 0);
      set(state, stride, lane, slotComponent(b, k, C_TANGENT_IMPULSE1), touching ? m.tangentImpulse1 : 0);
    }

    // ContactDetector: BeginContact on the lander ends the game; legs flag their ground contact.
    if (began) beganBodies |= 1 << b;
    if (b == BODY_LANDER) {
      if (began) set(state, stride, lane, S_GAME_OVER, 1);
    } else {
      const flag = S_LEG_CONTACT + b - 1;
      if (ended) set(state, stride, lane, flag, 0);
      if (began) set(state, stride, lane, flag, 1);
    }
  }
}
