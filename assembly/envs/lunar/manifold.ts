// b2Manifold for one (moon edge, body polygon) pair: fixture A is always the edge (Box2D registers
// b2EdgeAndPolygonContact with the edge first), whose body is the static moon at the origin, so
// frame A is the world frame. Also carries what the contact solver needs of the pair (friction)
// and the warm-start impulses matched from the previous step.

/** b2Manifold::Type: which shape's face is the reference face. */
export const MANIFOLD_FACE_A: i32 = 1; // the edge: localNormal/localPoint in the world frame
export const MANIFOLD_FACE_B: i32 = 2; // a polygon face: localNormal/localPoint in the body frame

// b2ContactFeature::Type
export const FEATURE_VERTEX: i32 = 0;
export const FEATURE_FACE: i32 = 1;

/**
 * b2ContactID's key, packed small so that a float32 state component holds it exactly: indexA and
 * indexB (< 8: edge vertices 0, 1; polygon vertices < 8), typeA, typeB.
 */
@inline export function contactKey(indexA: i32, typeA: i32, indexB: i32, typeB: i32): i32 {
  return indexA | (indexB << 3) | (typeA << 6) | (typeB << 7);
}

@unmanaged export class Manifold {
  pointCount: i32; // 0, 1 or 2; 0 = not touching
  type: i32; // MANIFOLD_FACE_A | MANIFOLD_FACE_B
  edge: i32; // which moon edge
  localNormalX: f32;
  localNormalY: f32;
  localPointX: f32;
  localPointY: f32;
  // b2ManifoldPoint ×2: localPoint (in frame B for FACE_A, in the world for FACE_B) and id key.
  point0X: f32;
  point0Y: f32;
  point1X: f32;
  point1Y: f32;
  id0: i32;
  id1: i32;
  // Warm-start impulses (b2ManifoldPoint::normalImpulse, tangentImpulse).
  normalImpulse0: f32;
  tangentImpulse0: f32;
  normalImpulse1: f32;
  tangentImpulse1: f32;
  friction: f32; // b2MixFriction of the pair
}

export function copyManifold(to: Manifold, from: Manifold): void {
  memory.copy(changetype<usize>(to), changetype<usize>(from), offsetof<Manifold>());
}
