// The one WebAssembly module of directed-maml: everything the TypeScript side calls is exported here.
export { alloc, free } from './memory';
export { fillUniform, deriveSeed, PURPOSE_ITERATION, PURPOSE_TASKS, PURPOSE_RESET, PURPOSE_ACTION, PURPOSE_INIT, PURPOSE_ENV } from './rng';
export { envDim, envDefaultParam, ENV_CARTPOLE, ENV_INTERSECTION } from './envs/registry';
export { vecEnvCreate, vecEnvFree, vecEnvField, vecEnvSeed, vecEnvResetAll, vecEnvObserve, vecEnvStep } from './vecenv';
export { cartpoleStepScalar } from './envs/cartpole';
export { intersectionStepScalar } from './envs/intersection';
export { mlpCreate, mlpFree, mlpFlatFloats, mlpSetWeights, mlpForwardBatch, mlpPolicyGradient } from './policy';
export { rolloutCreate, rolloutFree, rolloutField, rolloutRun, rolloutCompact } from './rollout';
export { estimateAdvantages } from './estimator';
