// Node's threads for the worker pool (src/train/pool.ts): worker_threads running dist/pool-worker-node.js.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { PoolWorker, WorkerFactory } from '../train/pool';

/** worker_threads workers; the default count is os.availableParallelism(). */
export function nodeWorkerFactory(url: URL = new URL('./pool-worker-node.js', import.meta.url)): WorkerFactory {
  return {
    cores: () => availableParallelism(),
    create(): PoolWorker {
      // No inherited Node flags: the worker runs built JavaScript, and the parent's flags may not
      // apply to it (--input-type) or cost each thread a second of start-up (--import tsx).
      const worker = new Worker(url, { execArgv: [] });
      let terminating = false;
      return {
        post: (message, transfer = []) => worker.postMessage(message, transfer),
        listen(onMessage, onFailure) {
          worker.on('message', onMessage);
          worker.on('error', (err) => onFailure(`uncaught error: ${err?.stack ?? err}`));
          worker.on('messageerror', (err) => onFailure(`a message could not be deserialised: ${err.message}`));
          worker.on('exit', (code) => {
            if (!terminating) onFailure(`the thread exited (code ${code})`);
          });
        },
        hold: (busy) => (busy ? worker.ref() : worker.unref()),
        terminate() {
          terminating = true;
          void worker.terminate();
        },
      };
    },
  };
}

