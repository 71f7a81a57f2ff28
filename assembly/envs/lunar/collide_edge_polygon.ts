// b2CollideEdgeAndPolygon of Box2D 2.3.0 (b2EPCollider, b2CollideEdge.cpp) for an edge without
// ghost vertices (the moon's edges are separate fixtures: m_hasVertex0 = m_hasVertex3 = false), so
// the edge is two-sided and its normal limits are the edge normal itself. Scalar, one pair per call.
//
// Steps (Box2D's names): the polygon in the edge's frame (here the world frame); front or back side
// from the polygon centroid; the edge axis separation (ComputeEdgeSeparation) and the best polygon
// axis (ComputePolygonSeparation); the primary axis with hysteresis; the incident edge of the other
// shape, clipped against the reference face's side planes (b2ClipSegmentToLine); the points within
// the combined radius make the manifold.

import { MAX_MANIFOLD_POINTS, POLYGON_RADIUS, ANGULAR_SLOP, EP_RELATIVE_TOL, EP_ABSOLUTE_TOL } from './settings';
import { Polygon, vertexX, vertexY, normalX, normalY, MAX_POLYGON_VERTICES } from './polygon';
import { Manifold, MANIFOLD_FACE_A, MANIFOLD_FACE_B, FEATURE_VERTEX, FEATURE_FACE, contactKey } from './manifold';

// b2EPAxis::Type
const AXIS_UNKNOWN: i32 = 0;
const AXIS_EDGE_A: i32 = 1;
const AXIS_EDGE_B: i32 = 2;

// The polygon in frame A (b2TempPolygon).
const polyX = memory.data(MAX_POLYGON_VERTICES << 2);
const polyY = memory.data(MAX_POLYGON_VERTICES << 2);
const polyNX = memory.data(MAX_POLYGON_VERTICES << 2);
const polyNY = memory.data(MAX_POLYGON_VERTICES << 2);
@inline function px(i: i32): f32 { return load<f32>(polyX + (<usize>i << 2)); }
@inline function py(i: i32): f32 { return load<f32>(polyY + (<usize>i << 2)); }
@inline function pnx(i: i32): f32 { return load<f32>(polyNX + (<usize>i << 2)); }
@inline function pny(i: i32): f32 { return load<f32>(polyNY + (<usize>i << 2)); }

/** b2ClipVertex ×2: position and the features (packed key parts) of each. */
@unmanaged class ClipPair {
  x0: f32; y0: f32; indexA0: i32; indexB0: i32; typeA0: i32; typeB0: i32;
  x1: f32; y1: f32; indexA1: i32; indexB1: i32; typeA1: i32; typeB1: i32;
}
const incident = changetype<ClipPair>(memory.data(offsetof<ClipPair>()));
const clip1 = changetype<ClipPair>(memory.data(offsetof<ClipPair>()));
const clip2 = changetype<ClipPair>(memory.data(offsetof<ClipPair>()));

/**
 * b2ClipSegmentToLine: keeps the points of vIn behind the plane normal·x = offset and adds the
 * intersection if the segment crosses it. Returns how many points vOut holds.
 */
function clipSegmentToLine(vOut: ClipPair, vIn: ClipPair, normalX_: f32, normalY_: f32, offset: f32, vertexIndexA: i32): i32 {
  let numOut = 0;
  const distance0 = normalX_ * vIn.x0 + normalY_ * vIn.y0 - offset;
  const distance1 = normalX_ * vIn.x1 + normalY_ * vIn.y1 - offset;
  if (distance0 <= 0.0) {
    vOut.x0 = vIn.x0; vOut.y0 = vIn.y0;
    vOut.indexA0 = vIn.indexA0; vOut.indexB0 = vIn.indexB0; vOut.typeA0 = vIn.typeA0; vOut.typeB0 = vIn.typeB0;
    numOut = 1;
  }
  if (distance1 <= 0.0) {
    if (numOut == 0) {
      vOut.x0 = vIn.x1; vOut.y0 = vIn.y1;
      vOut.indexA0 = vIn.indexA1; vOut.indexB0 = vIn.indexB1; vOut.typeA0 = vIn.typeA1; vOut.typeB0 = vIn.typeB1;
    } else {
      vOut.x1 = vIn.x1; vOut.y1 = vIn.y1;
      vOut.indexA1 = vIn.indexA1; vOut.indexB1 = vIn.indexB1; vOut.typeA1 = vIn.typeA1; vOut.typeB1 = vIn.typeB1;
    }
    numOut++;
  }
  if (distance0 * distance1 < 0.0) {
    // The segment crosses the plane: vertex A of the reference face hits the incident edge.
    const interp = distance0 / (distance0 - distance1);
    const x = vIn.x0 + interp * (vIn.x1 - vIn.x0);
    const y = vIn.y0 + interp * (vIn.y1 - vIn.y0);
    // numOut is 1 here (exactly one end was behind the plane).
    vOut.x1 = x; vOut.y1 = y;
    vOut.indexA1 = vertexIndexA; vOut.indexB1 = vIn.indexB0; vOut.typeA1 = FEATURE_VERTEX; vOut.typeB1 = FEATURE_FACE;
    numOut++;
  }
  return numOut;
}

/**
 * Fills `m` for edge (v1x, v1y)–(v2x, v2y) in the world against `polygon` at transform
 * (pX, pY, rotation cos c, sin s). m.pointCount = 0 when they do not touch.
 */
export function collideEdgeAndPolygon(m: Manifold, v1x: f32, v1y: f32, v2x: f32, v2y: f32,
  polygon: Polygon, pX: f32, pY: f32, c: f32, s: f32): void {
  m.pointCount = 0;
  // Centroid of B in frame A.
  const centroidX = c * polygon.centroidX - s * polygon.centroidY + pX;
  const centroidY = s * polygon.centroidX + c * polygon.centroidY + pY;

  let edge1X = v2x - v1x, edge1Y = v2y - v1y;
  const length = Mathf.sqrt(edge1X * edge1X + edge1Y * edge1Y);
  if (length >= 1.1920929e-7) { // b2Vec2::Normalize leaves a tiny vector as it is
    const inv = <f32>1.0 / length;
    edge1X *= inv; edge1Y *= inv;
  }
  const normal1X = edge1Y, normal1Y = -edge1X;
  const offset1 = normal1X * (centroidX - v1x) + normal1Y * (centroidY - v1y);

  // No adjacent edges: the front is the side of the centroid, and both normal limits are −normal.
  const front = offset1 >= 0.0;
  const normalX_ = front ? normal1X : -normal1X;
  const normalY_ = front ? normal1Y : -normal1Y;
  const lowerLimitX = -normalX_, lowerLimitY = -normalY_;
  const upperLimitX = -normalX_, upperLimitY = -normalY_;

  const count = polygon.count;
  for (let i = 0; i < count; i++) {
    const vx = vertexX(polygon, i), vy = vertexY(polygon, i);
    store<f32>(polyX + (<usize>i << 2), c * vx - s * vy + pX);
    store<f32>(polyY + (<usize>i << 2), s * vx + c * vy + pY);
    const nx = normalX(polygon, i), ny = normalY(polygon, i);
    store<f32>(polyNX + (<usize>i << 2), c * nx - s * ny);
    store<f32>(polyNY + (<usize>i << 2), s * nx + c * ny);
  }
  const radius: f32 = 2.0 * POLYGON_RADIUS;

  // ComputeEdgeSeparation
  const edgeAxisIndex = front ? 0 : 1;
  let edgeSeparation = f32.MAX_VALUE;
  for (let i = 0; i < count; i++) {
    const sep = normalX_ * (px(i) - v1x) + normalY_ * (py(i) - v1y);
    if (sep < edgeSeparation) edgeSeparation = sep;
  }
  if (edgeSeparation > radius) return;

  // ComputePolygonSeparation
  let polygonAxisType = AXIS_UNKNOWN;
  let polygonAxisIndex = -1;
  let polygonSeparation = -f32.MAX_VALUE;
  const perpX = -normalY_, perpY = normalX_;
  for (let i = 0; i < count; i++) {
    const nx = -pnx(i), ny = -pny(i);
    const s1 = nx * (px(i) - v1x) + ny * (py(i) - v1y);
    const s2 = nx * (px(i) - v2x) + ny * (py(i) - v2y);
    const sep = Mathf.min(s1, s2);
    if (sep > radius) {
      // No collision
      polygonAxisType = AXIS_EDGE_B;
      polygonAxisIndex = i;
      polygonSeparation = sep;
      break;
    }
    // Adjacency
    if (nx * perpX + ny * perpY >= 0.0) {
      if ((nx - upperLimitX) * normalX_ + (ny - upperLimitY) * normalY_ < -ANGULAR_SLOP) continue;
    } else {
      if ((nx - lowerLimitX) * normalX_ + (ny - lowerLimitY) * normalY_ < -ANGULAR_SLOP) continue;
    }
    if (sep > polygonSeparation) {
      polygonAxisType = AXIS_EDGE_B;
      polygonAxisIndex = i;
      polygonSeparation = sep;
    }
  }
  if (polygonAxisType != AXIS_UNKNOWN && polygonSeparation > radius) return;

  // Use hysteresis for jitter reduction.
  let primaryType = AXIS_EDGE_A;
  let primaryIndex = edgeAxisIndex;
  if (polygonAxisType != AXIS_UNKNOWN && polygonSeparation > EP_RELATIVE_TOL * edgeSeparation + EP_ABSOLUTE_TOL) {
    primaryType = AXIS_EDGE_B;
    primaryIndex = polygonAxisIndex;
  }

  // Reference face (b2ReferenceFace) and incident edge.
  let rfI1: i32, rfI2: i32, rfV1X: f32, rfV1Y: f32, rfV2X: f32, rfV2Y: f32, rfNormalX: f32, rfNormalY: f32;
  if (primaryType == AXIS_EDGE_A) {
    m.type = MANIFOLD_FACE_A;
    // The polygon face most anti-parallel to the edge normal.
    let bestIndex = 0;
    let bestValue = normalX_ * pnx(0) + normalY_ * pny(0);
    for (let i = 1; i < count; i++) {
      const value = normalX_ * pnx(i) + normalY_ * pny(i);
      if (value < bestValue) { bestValue = value; bestIndex = i; }
    }
    const i1 = bestIndex;
    const i2 = i1 + 1 < count ? i1 + 1 : 0;
    incident.x0 = px(i1); incident.y0 = py(i1);
    incident.indexA0 = 0; incident.indexB0 = i1; incident.typeA0 = FEATURE_FACE; incident.typeB0 = FEATURE_VERTEX;
    incident.x1 = px(i2); incident.y1 = py(i2);
    incident.indexA1 = 0; incident.indexB1 = i2; incident.typeA1 = FEATURE_FACE; incident.typeB1 = FEATURE_VERTEX;
    if (front) {
      rfI1 = 0; rfI2 = 1; rfV1X = v1x; rfV1Y = v1y; rfV2X = v2x; rfV2Y = v2y; rfNormalX = normal1X; rfNormalY = normal1Y;
    } else {
      rfI1 = 1; rfI2 = 0; rfV1X = v2x; rfV1Y = v2y; rfV2X = v1x; rfV2Y = v1y; rfNormalX = -normal1X; rfNormalY = -normal1Y;
    }
  } else {
    m.type = MANIFOLD_FACE_B;
    incident.x0 = v1x; incident.y0 = v1y;
    incident.indexA0 = 0; incident.indexB0 = primaryIndex; incident.typeA0 = FEATURE_VERTEX; incident.typeB0 = FEATURE_FACE;
    incident.x1 = v2x; incident.y1 = v2y;
    incident.indexA1 = 0; incident.indexB1 = primaryIndex; incident.typeA1 = FEATURE_VERTEX; incident.typeB1 = FEATURE_FACE;
    rfI1 = primaryIndex;
    rfI2 = rfI1 + 1 < count ? rfI1 + 1 : 0;
    rfV1X = px(rfI1); rfV1Y = py(rfI1);
    rfV2X = px(rfI2); rfV2Y = py(rfI2);
    rfNormalX = pnx(rfI1); rfNormalY = pny(rfI1);
  }
  const sideNormal1X = rfNormalY, sideNormal1Y = -rfNormalX;
  const sideNormal2X = -sideNormal1X, sideNormal2Y = -sideNormal1Y;
  const sideOffset1 = sideNormal1X * rfV1X + sideNormal1Y * rfV1Y;
  const sideOffset2 = sideNormal2X * rfV2X + sideNormal2Y * rfV2Y;

  // Clip the incident edge against the reference face's side planes.
  if (clipSegmentToLine(clip1, incident, sideNormal1X, sideNormal1Y, sideOffset1, rfI1) < MAX_MANIFOLD_POINTS) return;
  if (clipSegmentToLine(clip2, clip1, sideNormal2X, sideNormal2Y, sideOffset2, rfI2) < MAX_MANIFOLD_POINTS) return;

  if (primaryType == AXIS_EDGE_A) {
    m.localNormalX = rfNormalX; m.localNormalY = rfNormalY;
    m.localPointX = rfV1X; m.localPointY = rfV1Y;
  } else {
    m.localNormalX = normalX(polygon, rfI1); m.localNormalY = normalY(polygon, rfI1);
    m.localPointX = vertexX(polygon, rfI1); m.localPointY = vertexY(polygon, rfI1);
  }

  let pointCount = 0;
  for (let i = 0; i < MAX_MANIFOLD_POINTS; i++) {
    const cx = i == 0 ? clip2.x0 : clip2.x1;
    const cy = i == 0 ? clip2.y0 : clip2.y1;
    const separation = rfNormalX * (cx - rfV1X) + rfNormalY * (cy - rfV1Y);
    if (separation > radius) continue;
    const indexA = i == 0 ? clip2.indexA0 : clip2.indexA1;
    const indexB = i == 0 ? clip2.indexB0 : clip2.indexB1;
    const typeA = i == 0 ? clip2.typeA0 : clip2.typeA1;
    const typeB = i == 0 ? clip2.typeB0 : clip2.typeB1;
    let localX: f32, localY: f32, key: i32;
    if (primaryType == AXIS_EDGE_A) {
      // Back into frame B: b2MulT(xf, v).
      const dx = cx - pX, dy = cy - pY;
      localX = c * dx + s * dy;
      localY = -s * dx + c * dy;
      key = contactKey(indexA, typeA, indexB, typeB);
    } else {
      // Frame A is the world; the features swap so that A names the edge.
      localX = cx; localY = cy;
      key = contactKey(indexB, typeB, indexA, typeA);
    }
    if (pointCount == 0) { m.point0X = localX; m.point0Y = localY; m.id0 = key; }
    else { m.point1X = localX; m.point1Y = localY; m.id1 = key; }
    pointCount++;
  }
  m.pointCount = pointCount;
}
