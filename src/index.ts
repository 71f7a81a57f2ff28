// directed-maml: the public API (see DESIGN.md). Isomorphic: nothing here imports node:*.
export { init, type InitOptions } from './init';
export { tf } from './core/backend';
export { ConfigError } from './errors';
export { taskFamily, TaskFamily, type TaskRanges } from './envs/task-family';
export { VecEnv, type StepResult } from './envs/vec-env';
export { envIds, envSpec, registerEnv } from './envs/registry';
export type { EnvSpec, ParamSpec } from './envs/spec';
export { uniforms, Purpose } from './core/rng';
export { wasm as wasmExports } from './core/wasm';
