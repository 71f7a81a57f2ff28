// A float64 reference of Gymnasium's LunarLander (discrete actions, or continuous=True) on planck.js, for the tests and
// the bench of our WASM lander. It follows gymnasium/envs/box2d/lunar_lander.py: v3 (a new world at
// every reset, wind offsets drawn at reset); without wind v2 and v3 have the same dynamics. One
// planck World per instance; planck is a test/bench dependency only (nothing under src/ imports it).
//
// Randomness is injected: `next()` returns uniforms in [0, 1), consumed in exactly this order (the
// contract with the WASM env, stated once by the mapping functions exported below):
//   reset: 12 terrain draws (terrainHeight), 2 push draws (pushForce, x then y), 2 wind draws
//          (windIndex: wind then torque; always drawn, even when wind is off);
//   every env step, including reset's implicit step(0): 2 draws (dispersion, d0 then d1).
// Gymnasium draws the wind offsets only when wind is enabled; drawing them always keeps the stream
// aligned across tasks and changes nothing else.
//
// Engine settings. pybox2d wraps Box2D 2.3.0 (float32). planck 1.5.0's `Settings` have Box2D 2.3's
// values for every constant the lander touches (BOX2D_23_SETTINGS below, written into planck's
// Settings at load and checked by the tests): linearSlop 0.005, angularSlop 2°, polygonRadius
// 2·linearSlop (a getter in planck), aabbExtension 0.1, aabbMultiplier 2, maxSubSteps 8,
// maxTOIContacts 32, TOI/distance iterations 20, velocityThreshold 1, maxLinearCorrection 0.2,
// maxAngularCorrection 8°, maxTranslation 2, maxRotation π/2, baumgarte 0.2, toiBaugarte 0.75,
// timeToSleep 0.5 s, linearSleepTolerance 0.01 m/s, angularSleepTolerance 2°/s. planck's World
// defaults match b2World's: allowSleep, warmStarting, continuousPhysics (TOI of dynamic bodies
// against static ones) and blockSolve on, subStepping off; we pass them explicitly anyway.
// What remains different, and why:
//   - float64 arithmetic instead of float32: trajectories part after tens of steps (contacts are
//     chaotic), so the WASM env is compared with this one statistically, and step-by-step only over
//     a short contact-free horizon.
//   - maxPolygonVertices 12 (pybox2d raised Box2D's 8 to 16): irrelevant, the lander has 6 vertices.
//   - b2_epsilon is FLT_EPSILON (1.2e-7) in Box2D and 1e-9 in planck: it guards normalisations of
//     near-zero vectors and the TOI "alpha ≈ 1" test; nothing in the lander comes near either.
//   - planck's Body.setAwake(true) resets the sleep timer even when the body is already awake;
//     Box2D 2.3 resets it only when waking a sleeping body. Contacts call setAwake(true) on both
//     bodies whenever a pair is created or starts/stops touching, so in stock planck a contact
//     change restarts the 0.5 s sleep countdown. We give planck's Body Box2D's setAwake (patched
//     on the prototype below, only for worlds not created with planckStock).
//   - planck's BroadPhase.updatePairs reports new pairs in tree-query order, Box2D 2.3 collects,
//     sorts by (proxyIdA, proxyIdB) and de-duplicates them first. The order decides where a contact
//     sits in the world's and the bodies' contact lists, hence the order of the sequential-impulse
//     solve and of same-step begin/end events. We give each world Box2D's pair order
//     (`box2dUpdatePairs`); proxy ids grow in creation order in both engines.
//   Both patches are on by default; `{ planckStock: true }` turns them off. Measured effect (300
//   heuristic and 600 random episodes, one seed each): none visible, mean returns equal to 0.1 and
//   the same termination causes; a few episodes take different paths. `{ continuousPhysics: false }`
//   drops TOI, which Box2D has on; it also changed nothing measurable (difference of mean heuristic
//   return −1.6, 95% CI [−18.7, 15.5]).
//
// Facts from lunar_lander.py (and pybox2d) that are easy to get wrong:
//   - pybox2d's revoluteJointDef(bodyA=…, bodyB=…) sets referenceAngle = bodyB.angle − bodyA.angle
//     when none is given, so the legs' reference angles are ∓0.05 (legs[0] is i = −1), not 0; the
//     limits [0.4, 0.9] / [−0.9, −0.4] apply to (leg angle − lander angle − referenceAngle).
//     (planck's RevoluteJoint has the same default; we pass it explicitly.)
//   - LEG_W, LEG_H go to polygonShape(box=…), i.e. they are half-extents: 2/30 × 8/30 m.
//   - The moon's first edge (0,0)–(W,0) is made with `shapes=`, i.e. a default fixture (friction 0.2,
//     density 0); the 10 terrain edges have friction 0.1. Legs keep the default friction 0.2.
//   - The legs are created after the push force is applied; Step clears forces, so the push acts
//     during the implicit step(0) only.
//   - The legs spawn 0.6 m from their anchors at joint angle 0, outside their limits; the implicit
//     step(0) closes the joints (joint angles ≈ ±0.54, inside the limits) and the motors then turn
//     the legs at 0.3 rad/s onto the limits 0.4 / −0.4, which they reach after ~23 steps.
//   - The contact flags are booleans, not counts: a leg that touches two terrain edges (crossing a
//     vertex, e.g. the pad's ends or its middle at x = 10) loses its flag when either contact ends
//     (Gymnasium's ContactDetector), and keeps it off while it still touches. Kept as is: of 275
//     heuristic landings that ended at rest, 39 had both flags off and 57 one.
import { Body, Box, Contact, Edge, Polygon, RevoluteJoint, Settings, Vec2, World } from 'planck';

// ------------------------------------------------------------------------------------------------
// Gymnasium's constants (pixels unless stated; SCALE pixels per metre).

export const FPS = 50;
export const SCALE = 30.0;
export const MAIN_ENGINE_POWER = 13.0;
export const SIDE_ENGINE_POWER = 0.6;
export const INITIAL_RANDOM = 1000.0; // N, bound of each push component
export const LANDER_POLY: ReadonlyArray<readonly [number, number]> = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]];
export const LEG_AWAY = 20;
export const LEG_DOWN = 18;
export const LEG_W = 2; // half-width (polygonShape(box=…) takes half-extents)
export const LEG_H = 8; // half-height
export const LEG_SPRING_TORQUE = 40; // N·m, the legs' motor torque
export const SIDE_ENGINE_HEIGHT = 14;
export const SIDE_ENGINE_AWAY = 12;
export const MAIN_ENGINE_Y_LOCATION = 4;
export const VIEWPORT_W = 600;
export const VIEWPORT_H = 400;
export const W = VIEWPORT_W / SCALE; // 20 m
export const H = VIEWPORT_H / SCALE; // 13.333 m
export const CHUNKS = 11;
export const VELOCITY_ITERATIONS = 6 * 30;
export const POSITION_ITERATIONS = 2 * 30;
/** Registration's TimeLimit (v2 and v3); truncation is the caller's business. */
export const MAX_EPISODE_STEPS = 1000;

// ------------------------------------------------------------------------------------------------
// The randomness contract: uniform u in [0, 1) → the value Gymnasium draws with np_random.

/** Terrain height of one of the 12 chunks: np_random.uniform(0, H/2). */
export const terrainHeight = (u: number): number => u * (H / 2);
/** One component of the initial push in newtons: np_random.uniform(−1000, 1000). */
export const pushForce = (u: number): number => -INITIAL_RANDOM + 2 * INITIAL_RANDOM * u;
/** Wind or torque phase offset: np_random.integers(−9999, 9999), i.e. −9999 … 9998. */
export const windIndex = (u: number): number => Math.floor(-9999 + 19998 * u);
/** Engine dispersion in metres: np_random.uniform(−1, 1) / SCALE. */
export const dispersion = (u: number): number => (2 * u - 1) / SCALE;

/** Draws consumed by reset() before its implicit step, and by every step. */
export const DRAWS_PER_RESET = 12 + 2 + 2;
export const DRAWS_PER_STEP = 2;

// ------------------------------------------------------------------------------------------------
// Task parameters.

export interface LanderTask { gravity: number; windPower: number; turbulencePower: number; mainEnginePower: number; sideEnginePower: number }

/** Gymnasium's defaults, wind off. Wind is on iff windPower > 0 or turbulencePower > 0. */
export const DEFAULT_TASK: LanderTask = { gravity: -10, windPower: 0, turbulencePower: 0, mainEnginePower: MAIN_ENGINE_POWER, sideEnginePower: SIDE_ENGINE_POWER };

/** Origin position (not the centre of mass), angle, COM linear velocity, angular velocity. */
export interface BodyState { x: number; y: number; angle: number; vx: number; vy: number; omega: number }

export interface LanderStep { obs: Float64Array; reward: number; terminated: boolean; cause: 'crash' | 'out' | 'rest' | null }

export interface PlanckLanderOptions {
  /** Gymnasium's continuous=True (LunarLanderContinuous): step takes [main, lateral] (default false). */
  continuous?: boolean;
  /** Leave planck's setAwake and pair order as shipped instead of Box2D 2.3's (default false). */
  planckStock?: boolean;
  /** TOI of dynamic against static bodies (Box2D's default true); false measures what skipping CCD changes. */
  continuousPhysics?: boolean;
}

// ------------------------------------------------------------------------------------------------
// Box2D 2.3.0 b2Settings (as compiled into pybox2d), written into planck's global Settings.

export const BOX2D_23_SETTINGS = {
  maxManifoldPoints: 2,
  aabbExtension: 0.1,
  aabbMultiplier: 2.0,
  linearSlop: 0.005,
  angularSlop: (2.0 / 180.0) * Math.PI,
  maxSubSteps: 8,
  maxTOIContacts: 32,
  maxTOIIterations: 20, // b2TimeOfImpact's k_maxIterations
  maxDistanceIterations: 20, // b2Distance's k_maxIters
  velocityThreshold: 1.0,
  maxLinearCorrection: 0.2,
  maxAngularCorrection: (8.0 / 180.0) * Math.PI,
  maxTranslation: 2.0,
  maxRotation: 0.5 * Math.PI,
  baumgarte: 0.2,
  toiBaugarte: 0.75,
  timeToSleep: 0.5,
  linearSleepTolerance: 0.01,
  angularSleepTolerance: (2.0 / 180.0) * Math.PI,
} as const;

export function applyBox2d23Settings(): void {
  const settings = Settings as unknown as Record<string, number>;
  for (const [name, value] of Object.entries(BOX2D_23_SETTINGS)) settings[name] = value;
}
applyBox2d23Settings();

// planck internals the two patches touch (present at run time, absent from planck's .d.ts).
interface BodyInternals { m_awakeFlag: boolean; m_sleepTime: number; m_world: object }
interface TreeInternals { getFatAABB(id: number): unknown; query(aabb: unknown, cb: (id: number) => boolean): void; getUserData(id: number): unknown }
interface BroadPhaseInternals { m_moveBuffer: (number | null)[]; m_tree: TreeInternals; updatePairs(cb: (a: unknown, b: unknown) => void): void }

// b2Body::SetAwake: waking an awake body leaves its sleep timer alone. Patched once on planck's
// prototype (an own method per body would split the bodies' hidden classes and slow every solver
// loop); worlds created with { planckStock: true } are listed here and keep planck's behaviour.
const stockWorlds = new WeakSet<object>();
const planckSetAwake = Body.prototype.setAwake;
Body.prototype.setAwake = function (this: Body, flag: boolean): void {
  const b = this as unknown as BodyInternals;
  if (flag && b.m_awakeFlag && !stockWorlds.has(b.m_world)) return;
  planckSetAwake.call(this, flag);
};

/** b2BroadPhase::UpdatePairs: query every moved proxy, then report the sorted, unique pairs. */
function box2dUpdatePairs(world: World): void {
  const bp = (world as unknown as { m_broadPhase: BroadPhaseInternals }).m_broadPhase;
  const pairs: number[] = [];
  bp.updatePairs = function (addPair: (a: unknown, b: unknown) => void): void {
    pairs.length = 0;
    for (const queryId of this.m_moveBuffer) {
      if (queryId === null) continue;
      this.m_tree.query(this.m_tree.getFatAABB(queryId), (id) => {
        if (id !== queryId) pairs.push(Math.min(id, queryId), Math.max(id, queryId));
        return true;
      });
    }
    this.m_moveBuffer.length = 0;
    const order = Array.from({ length: pairs.length / 2 }, (_, k) => k);
    order.sort((p, q) => pairs[2 * p] - pairs[2 * q] || pairs[2 * p + 1] - pairs[2 * q + 1]);
    let lastA = -1, lastB = -1;
    for (const k of order) {
      const a = pairs[2 * k], b = pairs[2 * k + 1];
      if (a === lastA && b === lastB) continue;
      lastA = a;
      lastB = b;
      addPair(this.m_tree.getUserData(a), this.m_tree.getUserData(b));
    }
  };
}

function bodyState(b: Body): BodyState {
  const p = b.getPosition(), v = b.getLinearVelocity();
  return { x: p.x, y: p.y, angle: b.getAngle(), vx: v.x, vy: v.y, omega: b.getAngularVelocity() };
}

/** tanh(sin(2k·x) + sin(π·k·x)) with k = 0.01, Gymnasium's wind and turbulence profile. */
const windProfile = (idx: number): number => Math.tanh(Math.sin(0.02 * idx) + Math.sin(Math.PI * 0.01 * idx));

export class PlanckLander {
  readonly task: LanderTask;
  private readonly next: () => number;
  private readonly stock: boolean;
  private readonly continuousPhysics: boolean;
  readonly continuous: boolean;
  private world: World | null = null;
  private lander: Body | null = null;
  private legs: [Body, Body] | null = null;
  private joints: [RevoluteJoint, RevoluteJoint] | null = null;
  private legContact: [boolean, boolean] = [false, false];
  private gameOver = false;
  private prevShaping: number | null = null;
  private windIdx = 0;
  private torqueIdx = 0;
  private stepCount = 0;
  private chunkX: number[] = [];
  private smoothY: number[] = [];
  private helipadX1 = 0;
  private helipadX2 = 0;
  private helipadY = 0;

  constructor(task: Partial<LanderTask>, next: () => number, options: PlanckLanderOptions = {}) {
    this.task = { ...DEFAULT_TASK, ...task };
    if (!(this.task.gravity < 0)) throw new Error(`PlanckLander: gravity = ${this.task.gravity}; allowed: a negative number`);
    this.next = next;
    this.stock = options.planckStock ?? false;
    this.continuousPhysics = options.continuousPhysics ?? true;
    this.continuous = options.continuous ?? false;
  }

  get windEnabled(): boolean { return this.task.windPower > 0 || this.task.turbulencePower > 0 }

  /** A new world (as v3 does), terrain, lander, push, legs and joints, then the implicit step(0). */
  reset(): LanderStep {
    const world = new World({
      gravity: Vec2(0, this.task.gravity),
      allowSleep: true, warmStarting: true, continuousPhysics: this.continuousPhysics, subStepping: false, blockSolve: true,
    });
    if (this.stock) stockWorlds.add(world);
    else box2dUpdatePairs(world);
    this.world = world;
    this.gameOver = false;
    this.prevShaping = null;
    this.legContact = [false, false];
    this.stepCount = 0;

    // Terrain: 12 heights drawn at once, then the five around the pad overwritten (their draws are
    // spent); smoothed with 0.33 (not 1/3) and Python's wrap of height[−1] to height[11].
    const height = Array.from({ length: CHUNKS + 1 }, () => terrainHeight(this.next()));
    this.chunkX = Array.from({ length: CHUNKS }, (_, i) => (W / (CHUNKS - 1)) * i);
    this.helipadX1 = this.chunkX[(CHUNKS >> 1) - 1];
    this.helipadX2 = this.chunkX[(CHUNKS >> 1) + 1];
    this.helipadY = H / 4;
    for (let k = -2; k <= 2; k++) height[(CHUNKS >> 1) + k] = this.helipadY;
    this.smoothY = Array.from({ length: CHUNKS }, (_, i) => 0.33 * (height[(i - 1 + height.length) % height.length] + height[i] + height[i + 1]));

    const moon = world.createBody({ type: 'static' });
    moon.createFixture(new Edge(Vec2(0, 0), Vec2(W, 0)), { density: 0, friction: 0.2 });
    for (let i = 0; i < CHUNKS - 1; i++) {
      const p1 = Vec2(this.chunkX[i], this.smoothY[i]), p2 = Vec2(this.chunkX[i + 1], this.smoothY[i + 1]);
      moon.createFixture(new Edge(p1, p2), { density: 0, friction: 0.1 });
    }

    const initialX = W / 2, initialY = H;
    const lander = world.createDynamicBody({ position: Vec2(initialX, initialY), angle: 0.0 });
    lander.createFixture(new Polygon(LANDER_POLY.map(([x, y]) => Vec2(x / SCALE, y / SCALE))), {
      density: 5.0, friction: 0.1, filterCategoryBits: 0x0010, filterMaskBits: 0x001, restitution: 0.0,
    });
    lander.applyForceToCenter(Vec2(pushForce(this.next()), pushForce(this.next())), true);
    this.windIdx = windIndex(this.next());
    this.torqueIdx = windIndex(this.next());

    const legs: Body[] = [];
    const joints: RevoluteJoint[] = [];
    for (const i of [-1, +1]) {
      const leg = world.createDynamicBody({ position: Vec2(initialX - (i * LEG_AWAY) / SCALE, initialY), angle: i * 0.05 });
      leg.createFixture(new Box(LEG_W / SCALE, LEG_H / SCALE), {
        density: 1.0, restitution: 0.0, filterCategoryBits: 0x0020, filterMaskBits: 0x001,
      });
      const joint = new RevoluteJoint({
        bodyA: lander, bodyB: leg,
        localAnchorA: Vec2(0, 0), localAnchorB: Vec2((i * LEG_AWAY) / SCALE, LEG_DOWN / SCALE),
        referenceAngle: leg.getAngle() - lander.getAngle(), // pybox2d's default when bodies are given
        enableMotor: true, enableLimit: true, maxMotorTorque: LEG_SPRING_TORQUE, motorSpeed: +0.3 * i,
        lowerAngle: i === -1 ? +0.9 - 0.5 : -0.9,
        upperAngle: i === -1 ? +0.9 : -0.9 + 0.5,
      });
      world.createJoint(joint);
      legs.push(leg);
      joints.push(joint);
    }
    this.lander = lander;
    this.legs = [legs[0], legs[1]];
    this.joints = [joints[0], joints[1]];

    // Gymnasium's ContactDetector: any contact of the lander body ends the game; a leg's flag is set
    // on begin and cleared on end of any of its contacts.
    world.on('begin-contact', (c: Contact) => {
      const a = c.getFixtureA().getBody(), b = c.getFixtureB().getBody();
      if (a === lander || b === lander) this.gameOver = true;
      for (let k = 0; k < 2; k++) if (a === legs[k] || b === legs[k]) this.legContact[k] = true;
    });
    world.on('end-contact', (c: Contact) => {
      const a = c.getFixtureA().getBody(), b = c.getFixtureB().getBody();
      for (let k = 0; k < 2; k++) if (a === legs[k] || b === legs[k]) this.legContact[k] = false;
    });

    // reset() ends with self.step(np.array([0, 0]) if self.continuous else 0): no engine.
    return this.advance(this.continuous ? [0, 0] : 0);
  }

  /**
   * One env step. Discrete: 0 noop, 1 left engine, 2 main engine, 3 right engine. Continuous:
   * [main, lateral], any finite numbers (clipped to [−1, 1] here, as Gymnasium's step clips them).
   */
  step(action: number | ArrayLike<number>): LanderStep {
    if (!this.world) throw new Error('PlanckLander.step: call reset() first');
    if (this.continuous) {
      if (typeof action === 'number' || action.length !== 2 || !Number.isFinite(action[0]) || !Number.isFinite(action[1])) {
        throw new Error(`PlanckLander.step: action = ${String(action).slice(0, 40)}; allowed: [main, lateral], two finite numbers`);
      }
    } else if (!(action === 0 || action === 1 || action === 2 || action === 3)) {
      throw new Error(`PlanckLander.step: action = ${String(action).slice(0, 20)}; allowed: 0, 1, 2, 3`);
    }
    this.stepCount++;
    return this.advance(action);
  }

  private advance(action: number | ArrayLike<number>): LanderStep {
    const world = this.world!, lander = this.lander!;
    const task = this.task;

    // Wind and turbulence, only while neither leg touches (flags from the previous step).
    if (this.windEnabled && !(this.legContact[0] || this.legContact[1])) {
      const windMag = windProfile(this.windIdx) * task.windPower;
      this.windIdx += 1;
      lander.applyForceToCenter(Vec2(windMag, 0.0), true);
      const torqueMag = windProfile(this.torqueIdx) * task.turbulencePower;
      this.torqueIdx += 1;
      lander.applyTorque(torqueMag, true);
    }

    // Engines. tip points along the lander's up axis, side to its left; both dispersions are drawn
    // every step whatever the action.
    const angle = lander.getAngle();
    const tip = [Math.sin(angle), Math.cos(angle)];
    const side = [-tip[1], tip[0]];
    const d0 = dispersion(this.next()), d1 = dispersion(this.next());
    const pos = lander.getPosition();

    // Gymnasium: action = np.clip(action, −1, +1) for continuous=True, then the engines' conditions.
    const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
    const a = typeof action === 'number' ? null : [clip(action[0], -1, 1), clip(action[1], -1, 1)];

    let mPower = 0.0;
    if (a ? a[0] > 0.0 : action === 2) {
      mPower = a ? (clip(a[0], 0.0, 1.0) + 1.0) * 0.5 : 1.0; // continuous: 0.5..1.0
      const ox = tip[0] * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * d0) + side[0] * d1;
      const oy = -tip[1] * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * d0) - side[1] * d1;
      const impulsePos = Vec2(pos.x + ox, pos.y + oy);
      lander.applyLinearImpulse(Vec2(-ox * task.mainEnginePower * mPower, -oy * task.mainEnginePower * mPower), impulsePos, true);
    }

    let sPower = 0.0;
    if (a ? Math.abs(a[1]) > 0.5 : action === 1 || action === 3) {
      const direction = a ? Math.sign(a[1]) : (action as number) - 2;
      sPower = a ? clip(Math.abs(a[1]), 0.5, 1.0) : 1.0;
      const ox = tip[0] * d0 + side[0] * (3 * d1 + (direction * SIDE_ENGINE_AWAY) / SCALE);
      const oy = -tip[1] * d0 - side[1] * (3 * d1 + (direction * SIDE_ENGINE_AWAY) / SCALE);
      // 17 along x but SIDE_ENGINE_HEIGHT = 14 along y: Gymnasium's documented orientation-dependent offset.
      const impulsePos = Vec2(pos.x + ox - (tip[0] * 17) / SCALE, pos.y + oy + (tip[1] * SIDE_ENGINE_HEIGHT) / SCALE);
      lander.applyLinearImpulse(Vec2(-ox * task.sideEnginePower * sPower, -oy * task.sideEnginePower * sPower), impulsePos, true);
    }

    world.step(1.0 / FPS, VELOCITY_ITERATIONS, POSITION_ITERATIONS);

    const p = lander.getPosition(), v = lander.getLinearVelocity();
    const obs = new Float64Array(8);
    obs[0] = (p.x - VIEWPORT_W / SCALE / 2) / (VIEWPORT_W / SCALE / 2);
    obs[1] = (p.y - (this.helipadY + LEG_DOWN / SCALE)) / (VIEWPORT_H / SCALE / 2);
    obs[2] = (v.x * (VIEWPORT_W / SCALE / 2)) / FPS;
    obs[3] = (v.y * (VIEWPORT_H / SCALE / 2)) / FPS;
    obs[4] = lander.getAngle();
    obs[5] = (20.0 * lander.getAngularVelocity()) / FPS;
    obs[6] = this.legContact[0] ? 1.0 : 0.0;
    obs[7] = this.legContact[1] ? 1.0 : 0.0;

    const shaping = -100 * Math.sqrt(obs[0] * obs[0] + obs[1] * obs[1])
      - 100 * Math.sqrt(obs[2] * obs[2] + obs[3] * obs[3])
      - 100 * Math.abs(obs[4])
      + 10 * obs[6]
      + 10 * obs[7];
    let reward = this.prevShaping === null ? 0 : shaping - this.prevShaping;
    this.prevShaping = shaping;
    reward -= mPower * 0.30;
    reward -= sPower * 0.03;

    let terminated = false;
    let cause: LanderStep['cause'] = null;
    if (this.gameOver || Math.abs(obs[0]) >= 1.0) {
      terminated = true;
      reward = -100;
      cause = this.gameOver ? 'crash' : 'out';
    }
    if (!lander.isAwake()) {
      terminated = true;
      reward = +100;
      cause = 'rest';
    }
    return { obs, reward, terminated, cause };
  }

  /** Body states after the last step, the legs' contact flags, the lander's awake flag, step count (the implicit step(0) not counted). */
  bodies(): { lander: BodyState; legs: [BodyState, BodyState]; legContact: [boolean, boolean]; awake: boolean; steps: number } {
    if (!this.lander || !this.legs) throw new Error('PlanckLander.bodies: call reset() first');
    return {
      lander: bodyState(this.lander),
      legs: [bodyState(this.legs[0]), bodyState(this.legs[1])],
      legContact: [this.legContact[0], this.legContact[1]],
      awake: this.lander.isAwake(),
      steps: this.stepCount,
    };
  }

  /** The smoothed terrain points (11) and the pad. */
  terrain(): { x: number[]; y: number[]; helipadX1: number; helipadX2: number; helipadY: number } {
    return { x: [...this.chunkX], y: [...this.smoothY], helipadX1: this.helipadX1, helipadX2: this.helipadX2, helipadY: this.helipadY };
  }

  /** The current wind and torque phase offsets (they advance only while wind is applied). */
  windIndices(): { wind: number; torque: number } {
    return { wind: this.windIdx, torque: this.torqueIdx };
  }

  /** planck objects, for tests that inspect mass properties and joints. */
  internals(): { world: World; lander: Body; legs: [Body, Body]; joints: [RevoluteJoint, RevoluteJoint] } {
    if (!this.world || !this.lander || !this.legs || !this.joints) throw new Error('PlanckLander.internals: call reset() first');
    return { world: this.world, lander: this.lander, legs: this.legs, joints: this.joints };
  }
}

/** Gymnasium's heuristic() for the discrete env: PD control of angle and hover height. */
export function heuristic(s: ArrayLike<number>): number {
  let angleTarg = s[0] * 0.5 + s[2] * 1.0; // angle should point towards the centre
  if (angleTarg > 0.4) angleTarg = 0.4; // more than 0.4 rad (22°) is bad
  if (angleTarg < -0.4) angleTarg = -0.4;
  const hoverTarg = 0.55 * Math.abs(s[0]); // target height proportional to horizontal offset

  let angleTodo = (angleTarg - s[4]) * 0.5 - s[5] * 1.0;
  let hoverTodo = (hoverTarg - s[1]) * 0.5 - s[3] * 0.5;

  if (s[6] || s[7]) { // legs touch: only slow the descent
    angleTodo = 0;
    hoverTodo = -s[3] * 0.5;
  }

  let a = 0;
  if (hoverTodo > Math.abs(angleTodo) && hoverTodo > 0.05) a = 2;
  else if (angleTodo < -0.05) a = 3;
  else if (angleTodo > +0.05) a = 1;
  return a;
}

/** Gymnasium's heuristic() for continuous=True: np.clip([hover_todo·20 − 1, −angle_todo·20], −1, 1). */
export function heuristicContinuous(s: ArrayLike<number>): [number, number] {
  let angleTarg = s[0] * 0.5 + s[2] * 1.0;
  if (angleTarg > 0.4) angleTarg = 0.4;
  if (angleTarg < -0.4) angleTarg = -0.4;
  const hoverTarg = 0.55 * Math.abs(s[0]);
  let angleTodo = (angleTarg - s[4]) * 0.5 - s[5] * 1.0;
  let hoverTodo = (hoverTarg - s[1]) * 0.5 - s[3] * 0.5;
  if (s[6] || s[7]) {
    angleTodo = 0;
    hoverTodo = -s[3] * 0.5;
  }
  const clip = (x: number) => Math.min(Math.max(x, -1), 1);
  return [clip(hoverTodo * 20 - 1), clip(-angleTodo * 20)];
}
