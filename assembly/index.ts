// The one WebAssembly module of directed-maml: everything the TypeScript side calls is exported here,
// and so is every number both sides must agree on (RNG purposes, env kinds and dimensions, buffer
// field ids, activation codes): TypeScript reads them from these exports (src/core/wasm.ts wasmConst).
export { alloc, free, ALLOC_MAX_BYTES } from './memory';
export { fillUniform, deriveSeed, PURPOSE_ITERATION, PURPOSE_TASKS, PURPOSE_RESET, PURPOSE_ACTION, PURPOSE_INIT, PURPOSE_ENV, PURPOSE_BOOTSTRAP } from './rng';
export { envDim, envDefaultParam, envActionBound, ENV_CARTPOLE, ENV_INTERSECTION, ENV_LUNAR_LANDER, ENV_NAVIGATION2D, ENV_LUNAR_LANDER_CONTINUOUS, ENV_CARTPOLE_FLIP, ENV_LUNAR_LANDER_WIND, ENV_LUNAR_LANDER_PAD, ENV_INTERSECTION_OCCLUDED,
  DIM_STATE, DIM_OBS, DIM_PARAMS, DIM_ACTIONS, DIM_MAX_EPISODE_STEPS, DIM_ACTION_SIZE } from './envs/registry';
export { vecEnvCreate, vecEnvBytes, vecEnvFree, vecEnvField, vecEnvSeed, vecEnvResetAll, vecEnvObserve, vecEnvStep,
  FIELD_STATE, FIELD_PARAMS, FIELD_OBS, FIELD_ACTIONS, FIELD_REWARD, FIELD_TERMINATED, FIELD_TRUNCATED,
  FIELD_NEEDS_RESET, FIELD_STEP_COUNT, FIELD_RNG_KEY, FIELD_RNG_COUNTER, FIELD_LANES } from './vecenv';
export { cartpoleStepScalar } from './envs/cartpole';
export { intersectionStepScalar } from './envs/intersection';
export { GOAL_TOLERANCE as NAVIGATION2D_GOAL_TOLERANCE, STATE_X as NAVIGATION2D_STATE_X, STATE_Y as NAVIGATION2D_STATE_Y } from './envs/navigation2d';
// What a picture of an episode needs (src/envs/scene.ts): state components, limits and sizes.
export { STATE_X as CARTPOLE_STATE_X, STATE_THETA as CARTPOLE_STATE_THETA, X_THRESHOLD as CARTPOLE_X_THRESHOLD,
  THETA_THRESHOLD_RADIANS as CARTPOLE_THETA_THRESHOLD_RADIANS, TAU_SECONDS as CARTPOLE_TAU_SECONDS } from './envs/cartpole';
export { STATE_EGO_POSITION as INTERSECTION_STATE_EGO_POSITION, STATE_EGO_SPEED as INTERSECTION_STATE_EGO_SPEED,
  STATE_OTHER_POSITION as INTERSECTION_STATE_OTHER_POSITION, STATE_OTHER_SPEED as INTERSECTION_STATE_OTHER_SPEED,
  ZONE_WIDTH as INTERSECTION_ZONE_WIDTH, VEHICLE_LENGTH as INTERSECTION_VEHICLE_LENGTH, DT_SECONDS as INTERSECTION_DT_SECONDS,
  RESET_POSITION_LOW as INTERSECTION_RESET_POSITION_LOW } from './envs/intersection';
export { SIGHT_DISTANCE as INTERSECTION_OCCLUDED_SIGHT_DISTANCE, OTHER_START_HALF_WIDTH as INTERSECTION_OCCLUDED_OTHER_START_HALF_WIDTH } from './envs/intersection_occluded';
export { LUNAR_STATE_BODIES, LUNAR_BODY_STRIDE, LUNAR_STATE_SLEEP_TIME, LUNAR_STATE_AWAKE,
  LUNAR_STATE_JOINTS, LUNAR_STATE_CONTACTS, LUNAR_SLOTS_PER_BODY, LUNAR_SLOT_STRIDE, LUNAR_SLOT_POINT_COUNT, LUNAR_STATE_GAME_OVER, LUNAR_STATE_LEG_CONTACT, LUNAR_STATE_PREV_SHAPING,
  LUNAR_STATE_WIND_INDEX, LUNAR_STATE_TORQUE_INDEX, LUNAR_STATE_TERRAIN, LUNAR_LANDER_CENTER_X, LUNAR_LANDER_CENTER_Y } from './envs/lunar/state';
export { LUNAR_RESET_DRAWS, LUNAR_STEP_DRAWS } from './envs/lunar/lander';
export { LUNAR_FPS, LUNAR_WORLD_WIDTH, LUNAR_WORLD_HEIGHT, LUNAR_CHUNKS, LUNAR_HELIPAD_X1, LUNAR_HELIPAD_X2, LUNAR_HELIPAD_Y, LUNAR_BODY_COUNT,
  LUNAR_ACTION_NOOP, LUNAR_ACTION_LEFT_ENGINE, LUNAR_ACTION_MAIN_ENGINE, LUNAR_ACTION_RIGHT_ENGINE,
  lunarChunkX, lunarPadEdgeX, lunarShapeVertexCount, lunarShapeVertex, lunarWindAt, lunarEngineFiring, lunarContinuousEngineFiring } from './envs/lunar/render';
export { mlpCreate, mlpBytes, mlpFree, mlpFlatFloats, mlpSetWeights, mlpForwardBatch, mlpPolicyGradient,
  ACTIVATION_TANH, ACTIVATION_RELU, HEAD_CATEGORICAL, HEAD_GAUSSIAN } from './policy';
export { rolloutCreate, rolloutBytes, rolloutFree, rolloutField, rolloutRun, rolloutCompact,
  ROLLOUT_PARAMS, ROLLOUT_LENGTH, ROLLOUT_RETURN, ROLLOUT_TERMINAL, ROLLOUT_LANES,
  rolloutUserCreate, rolloutUserBytes, rolloutUserBegin, rolloutUserSample, rolloutUserRecord, ENV_USER,
  ROLLOUT_OBS, ROLLOUT_ACTIONS, ROLLOUT_REWARD, ROLLOUT_TERMINATED, ROLLOUT_ALIVE } from './rollout';
export { estimateAdvantages } from './estimator';
export { metaGradCreate, metaGradFree, metaGradRun, INNER_LOSS_NAIVE, INNER_LOSS_LVC } from './metagrad';
