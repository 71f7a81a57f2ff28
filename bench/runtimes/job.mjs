// The job bench/runtimes.ts times in every runtime: directed-maml on CartPole-v1 at the config
// defaults (20 tasks x 20 episodes, [64, 64] tanh, exact second order), `iterations` meta-
// iterations. Plain JavaScript, so that Node, Bun, Deno, a page and a Web Worker run this same
// file; `dm` is the library as that runtime loads it, already initialised on `backend`. The config
// names the backend, so its defaults follow it (webgl: the tfjs engine in one thread); `gradEngine`,
// when given, picks the meta-gradient engine.
export async function trainingJob(dm, { iterations = 10, seed = 1, backend = 'wasm', gradEngine } = {}) {
  const trainer = new dm.Trainer({ env: 'CartPole-v1', algo: 'directed-maml', iterations, seed, backend, ...(gradEngine ? { gradEngine } : {}) });
  const metrics = [];
  const start = performance.now();
  for await (const m of trainer.run()) metrics.push(m);
  const seconds = (performance.now() - start) / 1000;
  const theta = Array.from(trainer.policy.getFlat());
  const result = { backend: dm.tf.getBackend(), gradEngine: trainer.config.gradEngine, workers: trainer.workers, seconds, metrics, theta };
  trainer.dispose();
  return result;
}
