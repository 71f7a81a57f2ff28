// The job bench/runtimes.ts times in every runtime: directed-maml on CartPole-v1 at the config
// defaults (20 tasks x 20 episodes, [64, 64] tanh, exact second order), `iterations` meta-
// iterations. Plain JavaScript, so that Node, Bun, Deno, a page and a Web Worker run this same
// file; `dm` is the library as that runtime loads it, already initialised on its backend.
export async function trainingJob(dm, { iterations = 10, seed = 1 } = {}) {
  const trainer = new dm.Trainer({ env: 'CartPole-v1', algo: 'directed-maml', iterations, seed });
  const metrics = [];
  const start = performance.now();
  for await (const m of trainer.run()) metrics.push(m);
  const seconds = (performance.now() - start) / 1000;
  const theta = Array.from(trainer.policy.getFlat());
  trainer.dispose();
  return { backend: dm.tf.getBackend(), seconds, metrics, theta };
}
