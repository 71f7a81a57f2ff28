// dm.episodeScene: an episode as a picture needs it — the env's state rows decoded into named
// physical quantities, with the sizes and limits the WASM module defines (read from its exports,
// never re-typed). Renderers (the demo page's src/browser/render/) draw from a scene alone: they
// run where the library is not loaded (a page's main thread) and hold no physics number of their
// own. A scene is plain numbers and typed arrays, so it crosses postMessage as it is.
import { wasm, wasmConst } from '../core/wasm';
import { ConfigError } from '../errors';
import type { TaskFamily } from './task-family';
import { decodeLunarState } from './lunar-lander';
import type { Actions } from '../nn/head';

/** What a scene is built from: dm.recordEpisode's result (or the same fields). */
export interface EpisodeStates {
  /** (length + 1) × stateDim: the reset state, then the state after every step. */
  states: Float32Array;
  /** Action indices (discrete env), or length × actionSize floats (box env, as sampled: unclipped). */
  actions: Actions;
  length: number;
  /** true when the env ended the episode, false when the step limit cut it. */
  terminated: boolean;
}

interface SceneBase {
  /** The task, by parameter name. */
  task: Record<string, number>;
  /** Simulated seconds per env step. */
  stepSeconds: number;
  /** Steps taken; frames are 0..steps (frame f is the state after f steps). */
  steps: number;
  /** The action of each step (a box env's: actionSize floats per step, row-major). */
  actions: Actions;
  /** true when the env ended the episode (then `outcome` says how), false when the step limit cut it. */
  terminated: boolean;
}

/** CartPole-v1 (and CartPoleFlip-v0, the same picture): the cart on its track, the pole on the cart. */
export interface CartPoleScene extends SceneBase {
  env: 'CartPole-v1' | 'CartPoleFlip-v0';
  /** |x| beyond this ends an episode (m). */
  xThresholdM: number;
  /** |θ| beyond this ends an episode (rad). */
  thetaThresholdRad: number;
  /** Per frame: cart position (m) and pole angle (rad; 0 upright, positive leaning towards +x). */
  x: Float32Array;
  theta: Float32Array;
  outcome: 'pole fell' | 'off the track' | null;
}

/**
 * Intersection-v0 (and IntersectionOccluded-v0, the same picture plus the buildings that hide the
 * other car): two cars on crossing roads, the conflict zone where they cross.
 */
export interface IntersectionScene extends SceneBase {
  env: 'Intersection-v0' | 'IntersectionOccluded-v0';
  /** IntersectionOccluded-v0 only: the ego sees the other car from this far before the zone entry on (m); null for Intersection-v0. */
  sightDistanceM: number | null;
  /** Side of the square conflict zone, and a car's length (m); a car is in the zone while 0 ≤ p ≤ zone + length. */
  zoneWidthM: number;
  vehicleLengthM: number;
  /** The farthest from the zone a car starts (m, negative). */
  resetPositionLowM: number;
  /** Per frame: front bumpers relative to the zone entry (m) and speeds (m/s). */
  egoPosition: Float32Array;
  egoSpeed: Float32Array;
  otherPosition: Float32Array;
  otherSpeed: Float32Array;
  outcome: 'collision' | 'crossed' | null;
}

/**
 * LunarLander-v2, LunarLanderContinuous-v2, LunarLanderWind-v0 and LunarLanderPad-v0: the moon's
 * terrain and pad (LunarLanderPad-v0's at the task's padOffset), the lander and its legs, the engines
 * and Gymnasium's wind (LunarLanderWind-v0's steady wind is the task's steadyWind, not drawn per frame).
 */
export interface LunarLanderScene extends SceneBase {
  env: 'LunarLander-v2' | 'LunarLanderContinuous-v2' | 'LunarLanderWind-v0' | 'LunarLanderPad-v0';
  /** The world Gymnasium shows: [0, widthM] × [0, heightM]. */
  widthM: number;
  heightM: number;
  /** Terrain points (m): the moon's surface is the polyline through them (the episode's terrain). */
  terrainX: Float32Array;
  terrainY: Float32Array;
  /** The pad between its flags (m). */
  helipadX1M: number;
  helipadX2M: number;
  helipadYM: number;
  /** Outlines in the body frame (m), x, y pairs: the lander's polygon and a leg's box. */
  landerPolygon: Float32Array;
  legPolygon: Float32Array;
  /** Per frame f and body b (0 lander, 1 legs[0], 2 legs[1]): origin x, y (m) and angle (rad) at (3f + b)·3 + 0, 1, 2. */
  bodies: Float32Array;
  /** Per frame f: lunar_lander.py's ground_contact of legs[0], legs[1] at 2f + 0, 1 (0/1). */
  legContact: Uint8Array;
  /**
   * Per frame f ≥ 1: the engine step f − 1 fired, drawn on frame f's pose: the world point of its
   * impulse and the direction its exhaust leaves (m, the length scales the impulse), at 4f + 0..3;
   * NaN for noop (and for frame 0). LunarLanderContinuous-v2: the main engine's, and `sideFlames`
   * the side engines' (both may fire in one step).
   */
  flames: Float32Array;
  /** LunarLanderContinuous-v2 only: the side engines' firing per frame, laid out as `flames`. */
  sideFlames?: Float32Array;
  /** Per frame f ≥ 1: the wind force (N, +x) and turbulence torque (N·m) of step f − 1; 0 when none acted. */
  wind: Float32Array;
  turbulence: Float32Array;
  /** The action codes of the module (lunar_lander.py's). */
  actionCodes: { noop: number; left: number; main: number; right: number };
  outcome: 'at rest' | 'crashed' | 'out of bounds' | null;
}

/** Navigation2D-v0: a point moving from (0, 0) towards an unobserved goal; with the path before adaptation, when given. */
export interface Navigation2DScene extends SceneBase {
  env: 'Navigation2D-v0';
  goalX: number;
  goalY: number;
  /** The episode terminates when both coordinates are within this of the goal (the module's NAVIGATION2D_GOAL_TOLERANCE). */
  goalTolerance: number;
  /** The box each step is clipped to, per component (the env's action space). */
  stepLow: readonly number[];
  stepHigh: readonly number[];
  /** Per frame: the position. */
  x: Float32Array;
  y: Float32Array;
  /** The path of the same task's episode before adaptation (episodeScene's options.before), every frame. */
  before: { x: Float32Array; y: Float32Array } | null;
  outcome: 'reached the goal' | null;
}

export type Scene = CartPoleScene | IntersectionScene | LunarLanderScene | Navigation2DScene;

export interface SceneOptions {
  /**
   * Another episode of the same task to show beside this one, e.g. the one before adaptation
   * (Navigation2D-v0 draws its path; other scenes ignore it).
   */
  before?: EpisodeStates;
}

/** The scene of an episode of `task` (one row of the family's parameters). */
export function episodeScene(family: TaskFamily, task: Float32Array, episode: EpisodeStates, options: SceneOptions = {}): Scene {
  if (!(task instanceof Float32Array) || task.length !== family.numParams) {
    throw new ConfigError('task', task, `a Float32Array of ${family.numParams} values (${family.paramNames.join(', ')})`);
  }
  checkStates(family, episode, 'episode');
  const { states, length } = episode;
  const width = Math.max(1, family.actionSize);
  const base: SceneBase = {
    task: Object.fromEntries(family.paramNames.map((n, k) => [n, task[k]])),
    stepSeconds: 0, steps: length, actions: episode.actions.slice(0, length * width), terminated: episode.terminated,
  };
  switch (family.spec.id) {
    case 'CartPole-v1': case 'CartPoleFlip-v0': return cartPoleScene(family.spec.id, base, states, family.stateDim);
    case 'Intersection-v0': case 'IntersectionOccluded-v0': return intersectionScene(family.spec.id, base, states, family.stateDim);
    case 'LunarLander-v2': return lunarLanderScene(base, states, family.stateDim, false);
    case 'LunarLanderContinuous-v2': return lunarLanderScene(base, states, family.stateDim, true);
    case 'LunarLanderWind-v0': return lunarLanderScene(base, states, family.stateDim, false, 'LunarLanderWind-v0');
    case 'LunarLanderPad-v0': return lunarLanderScene(base, states, family.stateDim, false, 'LunarLanderPad-v0');
    case 'Navigation2D-v0': return navigation2dScene(family, base, states, options.before);
    default: throw new ConfigError('env', family.spec.id, 'an env with a scene: CartPole-v1 | CartPoleFlip-v0 | Intersection-v0 | IntersectionOccluded-v0 | LunarLander-v2 | LunarLanderContinuous-v2 | LunarLanderWind-v0 | LunarLanderPad-v0 | Navigation2D-v0');
  }
}

function checkStates(family: TaskFamily, episode: EpisodeStates, field: string): void {
  const { states, length } = episode ?? ({} as EpisodeStates);
  if (!Number.isInteger(length) || length < 0 || !(states instanceof Float32Array) || states.length !== (length + 1) * family.stateDim) {
    throw new ConfigError(`${field}.states`, `${states?.length} floats for ${length} steps`, `(length + 1) × ${family.stateDim} floats`);
  }
}

function navigation2dScene(family: TaskFamily, base: SceneBase, states: Float32Array, before: EpisodeStates | undefined): Navigation2DScene {
  const D = family.stateDim;
  if (before !== undefined) checkStates(family, before, 'options.before');
  const X = wasmConst('NAVIGATION2D_STATE_X'), Y = wasmConst('NAVIGATION2D_STATE_Y');
  const space = family.actionSpace;
  if (space.kind !== 'box') throw new Error(`${family.id}: a box action space was expected`);
  return {
    // The env has no clock: a playback pace of ten moves per second.
    env: 'Navigation2D-v0', ...base, stepSeconds: 0.1,
    goalX: base.task.goalX, goalY: base.task.goalY, goalTolerance: wasmConst('NAVIGATION2D_GOAL_TOLERANCE'),
    stepLow: space.low, stepHigh: space.high,
    x: column(states, D, X), y: column(states, D, Y),
    before: before ? { x: column(before.states, D, X), y: column(before.states, D, Y) } : null,
    outcome: base.terminated ? 'reached the goal' : null,
  };
}

/** Component k of every frame. */
function column(states: Float32Array, stateDim: number, k: number): Float32Array {
  const out = new Float32Array(states.length / stateDim);
  for (let f = 0; f < out.length; f++) out[f] = states[f * stateDim + k];
  return out;
}

function cartPoleScene(env: CartPoleScene['env'], base: SceneBase, states: Float32Array, D: number): CartPoleScene {
  const x = column(states, D, wasmConst('CARTPOLE_STATE_X'));
  const theta = column(states, D, wasmConst('CARTPOLE_STATE_THETA'));
  const xThresholdM = wasmConst('CARTPOLE_X_THRESHOLD');
  const thetaThresholdRad = wasmConst('CARTPOLE_THETA_THRESHOLD_RADIANS');
  const last = base.steps;
  return {
    env, ...base, stepSeconds: wasmConst('CARTPOLE_TAU_SECONDS'), xThresholdM, thetaThresholdRad, x, theta,
    outcome: !base.terminated ? null : Math.abs(x[last]) > xThresholdM ? 'off the track' : 'pole fell',
  };
}

function intersectionScene(env: IntersectionScene['env'], base: SceneBase, states: Float32Array, D: number): IntersectionScene {
  const egoPosition = column(states, D, wasmConst('INTERSECTION_STATE_EGO_POSITION'));
  const otherPosition = column(states, D, wasmConst('INTERSECTION_STATE_OTHER_POSITION'));
  const zoneWidthM = wasmConst('INTERSECTION_ZONE_WIDTH'), vehicleLengthM = wasmConst('INTERSECTION_VEHICLE_LENGTH');
  const exit = Math.fround(zoneWidthM + vehicleLengthM); // float32, as the module sums it
  const inZone = (p: number) => p >= 0 && p <= exit;
  const last = base.steps;
  return {
    env, ...base, stepSeconds: wasmConst('INTERSECTION_DT_SECONDS'), zoneWidthM, vehicleLengthM,
    sightDistanceM: env === 'IntersectionOccluded-v0' ? wasmConst('INTERSECTION_OCCLUDED_SIGHT_DISTANCE') : null,
    resetPositionLowM: wasmConst('INTERSECTION_RESET_POSITION_LOW'),
    egoPosition, egoSpeed: column(states, D, wasmConst('INTERSECTION_STATE_EGO_SPEED')),
    otherPosition, otherSpeed: column(states, D, wasmConst('INTERSECTION_STATE_OTHER_SPEED')),
    outcome: !base.terminated ? null : inZone(egoPosition[last]) && inZone(otherPosition[last]) ? 'collision' : 'crossed',
  };
}

function lunarLanderScene(base: SceneBase, states: Float32Array, D: number, continuous: boolean, env?: LunarLanderScene['env']): LunarLanderScene {
  const w = wasm();
  const frames = base.steps + 1;
  const bodyCount = wasmConst('LUNAR_BODY_COUNT');
  const bodies = new Float32Array(frames * bodyCount * 3);
  const legContact = new Uint8Array(frames * 2);
  const flames = new Float32Array(frames * 4).fill(NaN);
  const sideFlames = continuous ? new Float32Array(frames * 4).fill(NaN) : undefined;
  const wind = new Float32Array(frames), turbulence = new Float32Array(frames);
  const windPower = base.task.windPower, turbulencePower = base.task.turbulencePower;
  const decoded = Array.from({ length: frames }, (_, f) => decodeLunarState(states.subarray(f * D, (f + 1) * D)));
  for (let f = 0; f < frames; f++) {
    const s = decoded[f];
    [s.lander, ...s.legs].forEach((b, k) => bodies.set([b.x, b.y, b.angle], (f * bodyCount + k) * 3));
    legContact[2 * f] = Number(s.legContact[0]);
    legContact[2 * f + 1] = Number(s.legContact[1]);
    if (f === 0) continue;
    const flame = (firing: number, into: Float32Array) => {
      if (firing === 0) return;
      const [ox, oy, pointX, pointY] = new Float64Array(w.memory.buffer, firing, 4);
      into.set([pointX, pointY, ox, oy], 4 * f);
    };
    if (!sideFlames) flame(w.lunarEngineFiring(s.lander.x, s.lander.y, s.lander.angle, base.actions[f - 1]), flames);
    else {
      const a0 = base.actions[2 * (f - 1)], a1 = base.actions[2 * (f - 1) + 1];
      flame(w.lunarContinuousEngineFiring(s.lander.x, s.lander.y, s.lander.angle, a0, a1, false), flames);
      flame(w.lunarContinuousEngineFiring(s.lander.x, s.lander.y, s.lander.angle, a0, a1, true), sideFlames);
    }
    // The module advances a wind index exactly when it applies that wind (the rule lives there).
    const before = decoded[f - 1];
    if (s.windIndex !== before.windIndex) wind[f] = w.lunarWindAt(before.windIndex, windPower);
    if (s.torqueIndex !== before.torqueIndex) turbulence[f] = w.lunarWindAt(before.torqueIndex, turbulencePower);
  }
  const chunks = wasmConst('LUNAR_CHUNKS');
  const polygon = (body: number) => {
    const n = w.lunarShapeVertexCount(body);
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) { out[2 * i] = w.lunarShapeVertex(body, i, 0); out[2 * i + 1] = w.lunarShapeVertex(body, i, 1); }
    return out;
  };
  const end = decoded[frames - 1];
  const padOffset = base.task.padOffset ?? 0; // LunarLanderPad-v0's hidden pad; Gymnasium's pad elsewhere
  return {
    env: env ?? (continuous ? 'LunarLanderContinuous-v2' : 'LunarLander-v2'), ...base, stepSeconds: 1 / wasmConst('LUNAR_FPS'),
    widthM: wasmConst('LUNAR_WORLD_WIDTH'), heightM: wasmConst('LUNAR_WORLD_HEIGHT'),
    terrainX: Float32Array.from({ length: chunks }, (_, i) => w.lunarChunkX(i)), terrainY: Float32Array.from(decoded[0].terrainY),
    helipadX1M: w.lunarPadEdgeX(padOffset, 0), helipadX2M: w.lunarPadEdgeX(padOffset, 1), helipadYM: wasmConst('LUNAR_HELIPAD_Y'),
    landerPolygon: polygon(0), legPolygon: polygon(1), bodies, legContact, flames, ...(sideFlames ? { sideFlames } : {}), wind, turbulence,
    actionCodes: {
      noop: wasmConst('LUNAR_ACTION_NOOP'), left: wasmConst('LUNAR_ACTION_LEFT_ENGINE'),
      main: wasmConst('LUNAR_ACTION_MAIN_ENGINE'), right: wasmConst('LUNAR_ACTION_RIGHT_ENGINE'),
    },
    // lunar_lander.py's order: a crash or |x| ≥ 1 gives −100, then an asleep lander +100 overrides.
    outcome: !base.terminated ? null : !end.awake ? 'at rest' : end.gameOver ? 'crashed' : 'out of bounds',
  };
}
