// b2Settings: Box2D 2.3.0's tolerances (Box2D/Common/b2Settings.h, as wrapped by pybox2d and as in
// planck.js's Settings), each named once with Box2D's name. Only the ones this subset uses.
// Box2D computes in float32, and so do we.

/** b2_maxManifoldPoints: contact points per shape pair. */
export const MAX_MANIFOLD_POINTS: i32 = 2;
/** b2_aabbExtension (m): the dynamic tree fattens every proxy's AABB by this much. */
export const AABB_EXTENSION: f32 = 0.1;
/** b2_aabbMultiplier: a moved proxy's AABB is also stretched by this times its displacement. */
export const AABB_MULTIPLIER: f32 = 2.0;
/** b2_linearSlop (m): collision and constraint tolerance, chosen to be numerically significant. */
export const LINEAR_SLOP: f32 = 0.005;
/** b2_angularSlop (rad): 2 degrees. */
export const ANGULAR_SLOP: f32 = <f32>(2.0 / 180.0 * Math.PI);
/** b2_polygonRadius (m): the skin of polygons and edges, 2·linearSlop. */
export const POLYGON_RADIUS: f32 = 2.0 * LINEAR_SLOP;
/** b2_maxLinearCorrection (m): the most the position solver moves a contact in one iteration. */
export const MAX_LINEAR_CORRECTION: f32 = 0.2;
/** b2_maxAngularCorrection (rad): 8 degrees, the largest angular correction of a joint limit. */
export const MAX_ANGULAR_CORRECTION: f32 = <f32>(8.0 / 180.0 * Math.PI);
/** b2_maxTranslation (m per step): velocities are clamped so a body moves at most this far. */
export const MAX_TRANSLATION: f32 = 2.0;
export const MAX_TRANSLATION_SQUARED: f32 = MAX_TRANSLATION * MAX_TRANSLATION;
/** b2_maxRotation (rad per step). */
export const MAX_ROTATION: f32 = <f32>(0.5 * Math.PI);
export const MAX_ROTATION_SQUARED: f32 = MAX_ROTATION * MAX_ROTATION;
/** b2_baumgarte: the fraction of the overlap the position solver resolves per iteration. */
export const BAUMGARTE: f32 = 0.2;
/** b2_timeToSleep (s): how long an island must rest before it sleeps. */
export const TIME_TO_SLEEP: f32 = 0.5;
/** b2_linearSleepTolerance (m/s). */
export const LINEAR_SLEEP_TOLERANCE: f32 = 0.01;
/** b2_angularSleepTolerance (rad/s): 2 degrees per second. */
export const ANGULAR_SLEEP_TOLERANCE: f32 = <f32>(2.0 / 180.0 * Math.PI);

// Constants of b2ContactSolver and b2EPCollider (not in b2Settings, named where Box2D names them).
/** k_maxConditionNumber of the two-point block solver. */
export const MAX_CONDITION_NUMBER: f32 = 1000.0;
/** Hysteresis of b2EPCollider's choice between the edge axis and a polygon axis. */
export const EP_RELATIVE_TOL: f32 = 0.98;
export const EP_ABSOLUTE_TOL: f32 = 0.001;

// What Gymnasium's world.Step(1.0 / FPS, 6 * 30, 2 * 30) asks for.
export const TIME_STEP: f32 = <f32>(1.0 / 50.0);
export const VELOCITY_ITERATIONS: i32 = 180;
export const POSITION_ITERATIONS: i32 = 60;

// b2Min, b2Max and b2Clamp as Box2D defines them (a < b ? a : b, …), which is also how the f32x4
// path computes them (simd.ts vmin/vmax): the same result for signed zeros and NaN in both.
@inline export function b2Min(a: f32, b: f32): f32 { return a < b ? a : b; }
@inline export function b2Max(a: f32, b: f32): f32 { return a > b ? a : b; }
@inline export function b2Clamp(a: f32, low: f32, high: f32): f32 { return b2Max(low, b2Min(a, high)); }
