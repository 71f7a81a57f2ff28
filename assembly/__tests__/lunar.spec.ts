// Small kernels of the lunar core against float64 re-derivations written here: the polygons' mass
// data (shoelace area, centroid, second moment), Box2D 2.3's hull order, the collision filters, and
// the edge–polygon collider on configurations whose manifold is known by hand.
import { LANDER_SHAPE, LEG_SHAPE, SCALE, LANDER_DENSITY, LEG_DENSITY, shouldCollide, MOON_CATEGORY, MOON_MASK,
  LANDER_CATEGORY, LANDER_MASK, LEG_CATEGORY, LEG_MASK, pairFriction, BODY_LANDER, BODY_LEG0 } from '../envs/lunar/definition';
import { Polygon, newPolygon, polygonSetAsBox, polygonComputeMass, vertexX, vertexY } from '../envs/lunar/polygon';
import { Manifold, MANIFOLD_FACE_A, MANIFOLD_FACE_B } from '../envs/lunar/manifold';
import { collideEdgeAndPolygon } from '../envs/lunar/collide_edge_polygon';
import { POLYGON_RADIUS } from '../envs/lunar/settings';

function close(a: f64, b: f64, tolerance: f64): bool {
  return Math.abs(a - b) <= tolerance;
}

describe('lunar shapes', () => {
  it('the lander polygon: Box2D 2.3 hull order from (17, 0) px, and mass data from the shoelace formula', () => {
    // lunar_lander.py's LANDER_POLY, counter-clockwise from the rightmost-lowest-by-Box2D's-rule point.
    const xs: StaticArray<f64> = [17, 14, -14, -17, -17, 17];
    const ys: StaticArray<f64> = [0, 17, 17, 0, -10, -10];
    expect(LANDER_SHAPE.count).toBe(6);
    for (let i = 0; i < 6; i++) {
      expect(close(<f64>vertexX(LANDER_SHAPE, i), xs[i] / 30, 1e-7)).toBe(true);
      expect(close(<f64>vertexY(LANDER_SHAPE, i), ys[i] / 30, 1e-7)).toBe(true);
    }
    // Shoelace area, centroid and polar second moment about the origin (float64, metres).
    let area = 0.0, cx = 0.0, cy = 0.0, io = 0.0;
    for (let i = 0; i < 6; i++) {
      const j = (i + 1) % 6;
      const x0 = xs[i] / 30, y0 = ys[i] / 30, x1 = xs[j] / 30, y1 = ys[j] / 30;
      const cross = x0 * y1 - x1 * y0;
      area += cross / 2;
      cx += (x0 + x1) * cross / 6;
      cy += (y0 + y1) * cross / 6;
      io += cross * (x0 * x0 + x0 * x1 + x1 * x1 + y0 * y0 + y0 * y1 + y1 * y1) / 12;
    }
    cx /= area; cy /= area;
    const mass = LANDER_DENSITY * area;
    const inertiaAboutCentroid = LANDER_DENSITY * io - mass * (cx * cx + cy * cy);
    expect(close(<f64>LANDER_SHAPE.mass, mass, 1e-5)).toBe(true);
    expect(close(<f64>LANDER_SHAPE.centroidX, cx, 1e-7)).toBe(true);
    expect(close(<f64>LANDER_SHAPE.centroidY, cy, 1e-7)).toBe(true);
    expect(close(<f64>LANDER_SHAPE.inertia, inertiaAboutCentroid, 1e-6)).toBe(true);
    // SPEC §2's derived figures.
    expect(close(area, 0.9633, 1e-4)).toBe(true);
    expect(close(cy, 0.1013, 1e-4)).toBe(true);
    expect(close(inertiaAboutCentroid, 0.784, 1e-3)).toBe(true);
  });

  it('a leg box: mass 4·hx·hy·density and I = m(w² + h²)/12 about its centre', () => {
    const hx = 2.0 / 30, hy = 8.0 / 30;
    const mass = 4 * hx * hy * LEG_DENSITY;
    expect(close(<f64>LEG_SHAPE.mass, mass, 1e-7)).toBe(true);
    expect(close(<f64>LEG_SHAPE.inertia, mass * (4 * hx * hx + 4 * hy * hy) / 12, 1e-9)).toBe(true);
    expect(LEG_SHAPE.centroidX).toBe(0);
    expect(LEG_SHAPE.centroidY).toBe(0);
  });

  it('filters: the lander and the legs collide with the moon, not with each other; frictions mix as sqrt', () => {
    expect(shouldCollide(MOON_CATEGORY, MOON_MASK, LANDER_CATEGORY, LANDER_MASK)).toBe(true);
    expect(shouldCollide(MOON_CATEGORY, MOON_MASK, LEG_CATEGORY, LEG_MASK)).toBe(true);
    expect(shouldCollide(LANDER_CATEGORY, LANDER_MASK, LEG_CATEGORY, LEG_MASK)).toBe(false);
    expect(shouldCollide(LEG_CATEGORY, LEG_MASK, LEG_CATEGORY, LEG_MASK)).toBe(false);
    expect(close(<f64>pairFriction(BODY_LEG0, 3), Math.sqrt(0.2 * 0.1), 1e-7)).toBe(true);
    expect(close(<f64>pairFriction(BODY_LANDER, 0), Math.sqrt(0.1 * 0.2), 1e-7)).toBe(true);
  });
});

const box: Polygon = newPolygon();
polygonSetAsBox(box, 0.5, 0.25);
polygonComputeMass(box, 1.0);
const m = changetype<Manifold>(memory.data(offsetof<Manifold>()));

describe('lunar edge-polygon collider', () => {
  it('a box resting flat on an edge: two points on the edge face, normal up, within the skins', () => {
    // Edge (−5, 0)–(5, 0); the box's bottom at y = 0.005 (skins of 0.01 each overlap by 0.015).
    collideEdgeAndPolygon(m, -5, 0, 5, 0, box, 1.0, 0.255, 1, 0);
    expect(m.pointCount).toBe(2);
    expect(m.type).toBe(MANIFOLD_FACE_A);
    expect(m.localNormalX).toBe(0);
    expect(m.localNormalY).toBe(1);
    // The points are the box's bottom corners, in the box's frame.
    expect(close(<f64>Math.min(m.point0X, m.point1X), -0.5, 1e-6)).toBe(true);
    expect(close(<f64>Math.max(m.point0X, m.point1X), 0.5, 1e-6)).toBe(true);
    expect(close(<f64>m.point0Y, -0.25, 1e-6)).toBe(true);
    expect(m.id0 != m.id1).toBe(true);
  });

  it('no points above the combined skin, nor beyond the end of the edge', () => {
    collideEdgeAndPolygon(m, -5, 0, 5, 0, box, 0.0, 0.25 + 2 * POLYGON_RADIUS + 0.001, 1, 0);
    expect(m.pointCount).toBe(0);
    collideEdgeAndPolygon(m, -5, 0, 5, 0, box, 5.6, 0.25, 1, 0);
    expect(m.pointCount).toBe(0);
  });

  it('a tilted box touching with one corner: one point, the corner', () => {
    // Rotated by 0.3 rad; its lowest corner is (−0.5, −0.25) rotated: y = −0.5·sin 0.3 − 0.25·cos 0.3.
    const s = Mathf.sin(0.3), c = Mathf.cos(0.3);
    const lowest: f32 = <f32>-0.5 * s - <f32>0.25 * c;
    collideEdgeAndPolygon(m, -5, 0, 5, 0, box, 0.0, -lowest + <f32>0.005, c, s);
    expect(m.pointCount).toBe(1);
    expect(m.type).toBe(MANIFOLD_FACE_A);
    expect(close(<f64>m.point0X, 0.5, 1e-6) || close(<f64>m.point0X, -0.5, 1e-6)).toBe(true);
  });

  it('an edge corner against a box face: the polygon face is the reference (face B)', () => {
    // A short sloped edge poking up into the box's bottom face from below.
    collideEdgeAndPolygon(m, -0.3, -1.0, 0.05, 0.0, box, 0.0, 0.25 - 0.005, 1, 0);
    expect(m.pointCount).toBe(1);
    expect(m.type).toBe(MANIFOLD_FACE_B);
    expect(m.localNormalY).toBe(-1); // the box's bottom face normal, in its frame
  });
});
