// Entry of a Web Worker of the worker pool (src/train/pool.ts), built to pool-worker.js beside each
// bundle: dist/browser/ for pages (the demo's training worker starts these: nested workers), dist/
// for Deno and Bun. Each has its own WASM instance and tfjs.
import { serveTasks } from '../train/pool-worker';
import type { FromPoolWorker, ToPoolWorker } from '../train/pool';

// The DOM lib types `self` as a Window; this is the part of a DedicatedWorkerGlobalScope used here.
const scope = self as unknown as {
  postMessage(message: FromPoolWorker, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToPoolWorker>) => void): void;
  close(): void;
};
serveTasks({
  post: (message, transfer = []) => scope.postMessage(message, transfer),
  onMessage: (handler) => scope.addEventListener('message', (event) => handler(event.data)),
  exit: () => scope.close(),
});
