// b2PolygonShape: a convex polygon in its body's frame, with Box2D 2.3's construction (Set: the
// gift-wrapping hull, then edge normals and the centroid; SetAsBox) and mass (ComputeMass). The
// skin radius is b2_polygonRadius for every polygon and edge (settings.ts). Shapes are built once
// at module start, in float64, and rounded to float32: they depend on constants only.

export const MAX_POLYGON_VERTICES: i32 = 8;

@unmanaged export class Polygon {
  count: i32;
  centroidX: f32; // ComputeCentroid: the area centroid, also the body's local centre of mass
  centroidY: f32;
  mass: f32; // kg, for the fixture's density
  inertia: f32; // kg·m² about the centroid
  vertices: usize; // f32 pairs (x, y), counter-clockwise
  normals: usize; // f32 pairs: outward unit normal of edge i (vertex i to vertex i + 1)
}

export function newPolygon(): Polygon {
  const p = changetype<Polygon>(heap.alloc(offsetof<Polygon>()));
  p.count = 0;
  p.vertices = heap.alloc(<usize>MAX_POLYGON_VERTICES << 3);
  p.normals = heap.alloc(<usize>MAX_POLYGON_VERTICES << 3);
  return p;
}

@inline export function vertexX(p: Polygon, i: i32): f32 { return load<f32>(p.vertices + (<usize>i << 3)); }
@inline export function vertexY(p: Polygon, i: i32): f32 { return load<f32>(p.vertices + (<usize>i << 3), 4); }
@inline export function normalX(p: Polygon, i: i32): f32 { return load<f32>(p.normals + (<usize>i << 3)); }
@inline export function normalY(p: Polygon, i: i32): f32 { return load<f32>(p.normals + (<usize>i << 3), 4); }

/**
 * b2PolygonShape::Set: the convex hull of n points (xs, ys in float64) by gift wrapping from the
 * rightmost point, counter-clockwise, as Box2D 2.3 orders it (its tie rule included, which
 * compares y with x0); then normals and centroid.
 */
export function polygonSet(p: Polygon, xs: StaticArray<f64>, ys: StaticArray<f64>): void {
  const n = xs.length;
  let i0 = 0;
  let x0 = xs[0];
  for (let i = 1; i < n; i++) {
    const x = xs[i];
    if (x > x0 || (x == x0 && ys[i] < x0)) { i0 = i; x0 = x; }
  }
  const hull = new StaticArray<i32>(MAX_POLYGON_VERTICES);
  let m = 0;
  let ih = i0;
  while (true) {
    hull[m] = ih;
    let ie = 0;
    for (let j = 1; j < n; j++) {
      if (ie == ih) { ie = j; continue; }
      const rx = xs[ie] - xs[hull[m]], ry = ys[ie] - ys[hull[m]];
      const vx = xs[j] - xs[hull[m]], vy = ys[j] - ys[hull[m]];
      const c = rx * vy - ry * vx;
      if (c < 0.0) ie = j;
      if (c == 0.0 && vx * vx + vy * vy > rx * rx + ry * ry) ie = j; // collinear: keep the farthest
    }
    m++;
    ih = ie;
    if (ie == i0) break;
  }
  const hx = new StaticArray<f64>(m), hy = new StaticArray<f64>(m);
  for (let i = 0; i < m; i++) { hx[i] = xs[hull[i]]; hy[i] = ys[hull[i]]; }
  finish(p, hx, hy);
}

/** b2PolygonShape::SetAsBox(hx, hy): the box centred on the body origin, vertices from (−hx, −hy). */
export function polygonSetAsBox(p: Polygon, halfWidth: f64, halfHeight: f64): void {
  const xs: StaticArray<f64> = [-halfWidth, halfWidth, halfWidth, -halfWidth];
  const ys: StaticArray<f64> = [-halfHeight, -halfHeight, halfHeight, halfHeight];
  finish(p, xs, ys);
}

/** Stores vertices, normals (b2Cross(edge, 1), normalised) and the centroid (ComputeCentroid). */
function finish(p: Polygon, xs: StaticArray<f64>, ys: StaticArray<f64>): void {
  const n = xs.length;
  p.count = n;
  for (let i = 0; i < n; i++) {
    const j = i + 1 < n ? i + 1 : 0;
    const ex = xs[j] - xs[i], ey = ys[j] - ys[i];
    const length = Math.sqrt(ex * ex + ey * ey);
    store<f32>(p.vertices + (<usize>i << 3), <f32>xs[i]);
    store<f32>(p.vertices + (<usize>i << 3), <f32>ys[i], 4);
    store<f32>(p.normals + (<usize>i << 3), <f32>(ey / length));
    store<f32>(p.normals + (<usize>i << 3), <f32>(-ex / length), 4);
  }
  // Area-weighted centroid of the fan of triangles from the origin.
  let area = 0.0, cx = 0.0, cy = 0.0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 < n ? i + 1 : 0;
    const triangleArea = 0.5 * (xs[i] * ys[j] - ys[i] * xs[j]);
    area += triangleArea;
    cx += triangleArea * (xs[i] + xs[j]) / 3.0;
    cy += triangleArea * (ys[i] + ys[j]) / 3.0;
  }
  p.centroidX = <f32>(cx / area);
  p.centroidY = <f32>(cy / area);
}

/**
 * b2PolygonShape::ComputeMass for `density` (kg/m²): mass, and the rotational inertia about the
 * centroid (Box2D computes it about the origin and b2Body::ResetMassData shifts it to the centre
 * of mass: I_c = I_o − m·|c|²). Triangles fan out from the vertex average, as in Box2D.
 */
export function polygonComputeMass(p: Polygon, density: f64): void {
  const n = p.count;
  let sx = 0.0, sy = 0.0;
  for (let i = 0; i < n; i++) { sx += <f64>vertexX(p, i); sy += <f64>vertexY(p, i); }
  sx /= <f64>n; sy /= <f64>n;
  let area = 0.0, cx = 0.0, cy = 0.0, inertia = 0.0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 < n ? i + 1 : 0;
    const e1x = <f64>vertexX(p, i) - sx, e1y = <f64>vertexY(p, i) - sy;
    const e2x = <f64>vertexX(p, j) - sx, e2y = <f64>vertexY(p, j) - sy;
    const d = e1x * e2y - e1y * e2x;
    const triangleArea = 0.5 * d;
    area += triangleArea;
    cx += triangleArea / 3.0 * (e1x + e2x);
    cy += triangleArea / 3.0 * (e1y + e2y);
    const intx2 = e1x * e1x + e2x * e1x + e2x * e2x;
    const inty2 = e1y * e1y + e2y * e1y + e2y * e2y;
    inertia += (0.25 / 3.0 * d) * (intx2 + inty2);
  }
  const mass = density * area;
  cx /= area; cy /= area; // centroid relative to s
  // Inertia about s, then about the centroid: I_c = I_s − m·|c − s|².
  p.mass = <f32>mass;
  p.inertia = <f32>(density * inertia - mass * (cx * cx + cy * cy));
}
