// Module worker of the browser demo (demo.html): meta-training runs here, on the tfjs wasm backend,
// so the page's main thread only draws. Bundled to dist/browser/worker.js with the tfjs .wasm files
// beside it. Protocol: the page sends ToWorker messages, the worker answers with FromWorker ones.
import { init, Trainer, envIds, ALGOS, resolveConfig, tf, type TrainConfig, type IterationMetrics } from '../index';

export type ToWorker =
  /** Starts a run of config.iterations meta-iterations (fields not given take their defaults). */
  | { type: 'start'; config: Partial<TrainConfig> }
  /** Ends the current run after the iteration in progress. */
  | { type: 'stop' };

export type FromWorker =
  /** The library is initialised; the lists and defaults the page offers. */
  | { type: 'ready'; envIds: string[]; algos: string[]; defaults: TrainConfig; backend: string }
  /** A run began with this resolved config, its tasks on `workers` threads (a pool of nested Web Workers when > 1). */
  | { type: 'started'; config: TrainConfig; workers: number }
  /** One meta-iteration finished. */
  | { type: 'metrics'; metrics: IterationMetrics }
  /** The run ended: all iterations done ('finished') or after a stop message ('stopped'). */
  | { type: 'done'; reason: 'finished' | 'stopped'; iterations: number }
  /** Initialisation or a run failed (a bad config names the field: ConfigError's message). */
  | { type: 'error'; message: string };

// The DOM lib types `self` as a Window; this is the part of a DedicatedWorkerGlobalScope used here.
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
};
const post = (message: FromWorker): void => scope.postMessage(message);
const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// The tfjs .wasm files are served beside this bundle.
const ready = init({ backend: 'wasm', wasmPaths: new URL('./', import.meta.url).href });
ready.then(
  () => post({ type: 'ready', envIds: envIds(), algos: [...ALGOS], defaults: resolveConfig({}), backend: tf.getBackend() }),
  (err) => post({ type: 'error', message: `initialisation failed: ${errorMessage(err)}` }),
);

let running = false;
let stopRequested = false;

async function train(config: Partial<TrainConfig>): Promise<void> {
  if (running) {
    post({ type: 'error', message: 'a run is in progress: stop it first' });
    return;
  }
  running = true;
  stopRequested = false;
  let trainer: Trainer | null = null;
  try {
    await ready;
    trainer = new Trainer(config); // validates every field (ConfigError)
    post({ type: 'started', config: trainer.config, workers: trainer.workers });
    let reason: 'finished' | 'stopped' = 'finished';
    for await (const metrics of trainer.run()) {
      post({ type: 'metrics', metrics });
      // Let a pending stop message in before the next iteration starts.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (stopRequested) {
        reason = 'stopped';
        break;
      }
    }
    post({ type: 'done', reason, iterations: trainer.iteration });
  } catch (err) {
    post({ type: 'error', message: errorMessage(err) });
  } finally {
    trainer?.dispose();
    running = false;
  }
}

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.type === 'stop') stopRequested = true;
  else if (message.type === 'start') void train(message.config);
  else post({ type: 'error', message: `unknown message type ${JSON.stringify((message as { type?: unknown }).type)}: allowed start | stop` });
});
