// The one WebAssembly module of directed-maml: everything the TypeScript side calls is exported here,
// and so is every number both sides must agree on (RNG purposes, env kinds and dimensions, buffer
// field ids, activation codes): TypeScript reads them from these exports (src/core/wasm.ts wasmConst).
export { alloc, free } from './memory';
export { fillUniform, deriveSeed, PURPOSE_ITERATION, PURPOSE_TASKS, PURPOSE_RESET, PURPOSE_ACTION, PURPOSE_INIT, PURPOSE_ENV, PURPOSE_BOOTSTRAP } from './rng';
export { envDim, envDefaultParam, ENV_CARTPOLE, ENV_INTERSECTION,
  DIM_STATE, DIM_OBS, DIM_PARAMS, DIM_ACTIONS, DIM_MAX_EPISODE_STEPS } from './envs/registry';
export { vecEnvCreate, vecEnvFree, vecEnvField, vecEnvSeed, vecEnvResetAll, vecEnvObserve, vecEnvStep,
  FIELD_STATE, FIELD_PARAMS, FIELD_OBS, FIELD_ACTIONS, FIELD_REWARD, FIELD_TERMINATED, FIELD_TRUNCATED,
  FIELD_NEEDS_RESET, FIELD_STEP_COUNT, FIELD_RNG_KEY, FIELD_RNG_COUNTER, FIELD_LANES } from './vecenv';
export { cartpoleStepScalar } from './envs/cartpole';
export { intersectionStepScalar } from './envs/intersection';
export { mlpCreate, mlpFree, mlpFlatFloats, mlpSetWeights, mlpForwardBatch, mlpPolicyGradient,
  ACTIVATION_TANH, ACTIVATION_RELU } from './policy';
export { rolloutCreate, rolloutFree, rolloutField, rolloutRun, rolloutCompact,
  ROLLOUT_PARAMS, ROLLOUT_LENGTH, ROLLOUT_RETURN, ROLLOUT_TERMINAL, ROLLOUT_LANES } from './rollout';
export { estimateAdvantages } from './estimator';
