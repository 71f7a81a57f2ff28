// The one WebAssembly module of directed-maml: everything the TypeScript side calls is exported here.
export { alloc, free } from './memory';
export { fillUniform, PURPOSE_TASKS, PURPOSE_RESET, PURPOSE_ACTION, PURPOSE_INIT, PURPOSE_ENV } from './rng';
export { envDim, envDefaultParam, ENV_CARTPOLE } from './envs/registry';
export { vecEnvCreate, vecEnvFree, vecEnvField, vecEnvSeed, vecEnvResetAll, vecEnvObserve, vecEnvStep } from './vecenv';
export { cartpoleStepScalar } from './envs/cartpole';
