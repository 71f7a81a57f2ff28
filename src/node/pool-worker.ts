// Entry of a worker_threads pool worker (built to dist/pool-worker-node.js): Node's port for serveTasks.
import { parentPort } from 'node:worker_threads';
import { serveTasks } from '../train/pool-worker';
import type { ToPoolWorker } from '../train/pool';

if (!parentPort) throw new Error('pool-worker-node.js runs as a worker thread of the directed-maml worker pool');
const port = parentPort;
serveTasks({
  post: (message, transfer = []) => port.postMessage(message, transfer),
  onMessage: (handler) => port.on('message', (message: ToPoolWorker) => handler(message)),
  exit: (code) => process.exit(code),
});
