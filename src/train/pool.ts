// The worker pool over the tasks of a meta-iteration (steps 1–4 of src/meta/meta-step.ts). The main
// thread keeps the directed step, the task draw, the reduction and Adam; each worker has its own
// WASM instance and tfjs, set up once from the trainer's config (src/train/pool-worker.ts), and
// runs whole tasks: D_i, θ'_i, D'_i and the task's meta-gradient.
//
// Protocol, per iteration: θ, α and the plan go to every worker once; then task indices are dealt
// to the workers as they answer (two in flight each), and outcomes come back as plain typed arrays
// (transferred).
// Outcomes are stored by task index, so the reduction sees them in task order whatever the timing.
//
// Isomorphic: the threads come from an injected WorkerFactory — Node's worker_threads in
// src/node/pool.ts, Web Workers here (webWorkerFactory: pages, Deno, Bun).
import { learnerParams, type IterationPlan, type LearnerParams, type MetaStepContext, type TaskOutcome } from '../meta/meta-step';
import type { TrainConfig } from './config';

/** A test hook: make the worker that runs `task` of `iteration` fail in the given way. */
export interface PoolFault {
  iteration: number;
  task: number;
  /** 'throw': the task throws; 'uncaught': an error escapes the worker's handlers; 'exit': the worker exits. */
  kind: 'throw' | 'uncaught' | 'exit';
}

/** Messages to a pool worker. */
export type ToPoolWorker =
  /** Once: builds the worker's family, policy and algorithm from the trainer's config. */
  | { type: 'init'; config: TrainConfig; backend: string; wasmPaths?: string; fault?: PoolFault;
      /** A defined env's module (dm.defineEnv's options.module): the worker imports it and defines the env first. */
      envModule?: { url: string; exportName: string } }
  /** Once per iteration: the learner's parameters (θ, α) after the directed step, and the iteration's plan. */
  | { type: 'iteration'; plan: IterationPlan; params: LearnerParams }
  /** Runs task `index` of the current plan. */
  | { type: 'task'; index: number };

/** Messages from a pool worker. */
export type FromPoolWorker =
  | { type: 'ready' }
  | { type: 'outcome'; iteration: number; index: number; outcome: TaskOutcome }
  /** A failure the worker caught (initialisation, a message, a task). */
  | { type: 'error'; message: string; index?: number };

/** What the pool needs of a thread (adapters over a Node Worker or a Web Worker). */
export interface PoolWorker {
  post(message: ToPoolWorker, transfer?: ArrayBuffer[]): void;
  /**
   * Registers the pool's handlers: messages, and failures the worker could not report itself (an
   * uncaught error, a script that does not load, an exit), described in one line.
   */
  listen(onMessage: (message: FromPoolWorker) => void, onFailure: (description: string) => void): void;
  /** Node: a busy worker keeps the process alive, an idle one does not (so a process can exit). */
  hold?(busy: boolean): void;
  terminate(): void;
}

export interface WorkerFactory {
  /** The default number of workers here: the number of cores. */
  cores(): number;
  create(): PoolWorker;
}

/** Buffers of `arrays` that can be transferred (each array spans its own buffer). */
export function transferList(arrays: ReadonlyArray<ArrayBufferView | null>): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    if (a && a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && !out.includes(a.buffer)) out.push(a.buffer);
  }
  return out;
}

/**
 * Web Workers (module workers) running pool-worker.js from beside this bundle: dist/ for Deno and
 * Bun, dist/browser/ for pages. Null where there is no global Worker (Node).
 */
export function webWorkerFactory(url: URL | string = new URL('./pool-worker.js', import.meta.url)): WorkerFactory | null {
  const WorkerCtor = (globalThis as { Worker?: new (url: URL | string, options?: { type?: string }) => WebWorkerLike }).Worker;
  if (typeof WorkerCtor !== 'function') return null;
  return {
    cores: () => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1,
    create(): PoolWorker {
      const worker = new WorkerCtor(url, { type: 'module' });
      return {
        post: (message, transfer = []) => worker.postMessage(message, transfer),
        listen(onMessage, onFailure) {
          worker.addEventListener('message', (event) => onMessage((event as MessageEvent<FromPoolWorker>).data));
          worker.addEventListener('error', (event) => {
            const e = event as ErrorEvent;
            e.preventDefault?.();
            onFailure(e.message ? `uncaught error: ${e.message}` : `error event (the worker script ${url} may not have loaded)`);
          });
          worker.addEventListener('messageerror', () => onFailure('a message from the worker could not be deserialised'));
        },
        hold: (busy) => (busy ? worker.ref?.() : worker.unref?.()),
        terminate: () => worker.terminate(),
      };
    },
  };
}

interface WebWorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  terminate(): void;
  /** Bun and Deno only. */
  ref?(): void;
  unref?(): void;
}

let registeredFactory: WorkerFactory | null = null;

/** The factory trainers use when none is passed ('directed-maml/node' registers worker_threads). */
export function setDefaultWorkerFactory(factory: WorkerFactory | null): void {
  registeredFactory = factory;
}

/** The registered factory, else Web Workers where they exist, else null (tasks run in process). */
export function defaultWorkerFactory(): WorkerFactory | null {
  return registeredFactory ?? webWorkerFactory();
}

/** A worker and the tasks sent to it, oldest first (it answers them in that order). */
type Slot = { worker: PoolWorker; tasks: number[] };

/**
 * Tasks in flight per worker: the next one waits in the worker's queue while it runs the current
 * one, so no worker idles for a message round trip between tasks.
 */
const TASKS_IN_FLIGHT = 2;

/** How long a lost task's own error event may take to arrive before the loss itself is the error. */
const LOST_TASK_GRACE_MS = 200;

/** N threads that run the tasks of each iteration; see the protocol at the top of this file. */
export class TaskPool {
  private closed = false;
  private failure: Error | null = null;
  /** The run in progress. */
  private pending: { reject(err: Error): void; onOutcome(slot: Slot, index: number, outcome: TaskOutcome): void } | null = null;
  private iteration = -1;

  private constructor(private readonly slots: Slot[]) {}

  get size(): number {
    return this.slots.length;
  }

  /** Starts `count` workers and waits until each has built its WASM instance, tfjs and policy. */
  static async start(factory: WorkerFactory, count: number, init: Omit<Extract<ToPoolWorker, { type: 'init' }>, 'type'>): Promise<TaskPool> {
    const slots: Slot[] = [];
    const pool = new TaskPool(slots);
    let readyCount = 0;
    const ready = new Promise<void>((resolve, reject) => {
      pool.pending = { reject, onOutcome: () => {} };
      for (let k = 0; k < count; k++) {
        let worker: PoolWorker;
        try {
          worker = factory.create();
        } catch (err) {
          pool.fail(k, `could not be created: ${(err as Error).message ?? err}`);
          return;
        }
        const slot: Slot = { worker, tasks: [] };
        slots.push(slot);
        worker.listen(
          (message) => {
            if (message.type === 'ready') {
              if (++readyCount === count) resolve();
            } else pool.onMessage(k, slot, message);
          },
          (description) => pool.fail(k, description),
        );
        worker.hold?.(true);
        worker.post({ type: 'init', ...init });
      }
    });
    await ready;
    pool.pending = null;
    pool.idle();
    return pool;
  }

  /** Runs every task of the plan at the learner's parameters of ctx; outcomes in task order. */
  run(ctx: LearnerParams & Pick<MetaStepContext, 'metaBatch'>, plan: IterationPlan): Promise<TaskOutcome[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('directed-maml worker pool: the pool is shut down'));
    if (this.pending) return Promise.reject(new Error('directed-maml worker pool: one iteration at a time'));
    const B = ctx.metaBatch;
    this.iteration = plan.iteration;
    return new Promise<TaskOutcome[]>((resolve, reject) => {
      const outcomes = new Array<TaskOutcome>(B);
      let next = 0, done = 0;
      const deal = (slot: Slot) => {
        while (slot.tasks.length < TASKS_IN_FLIGHT && next < B) {
          slot.tasks.push(next);
          slot.worker.post({ type: 'task', index: next++ });
        }
      };
      this.pending = {
        reject,
        onOutcome: (slot, index, outcome) => {
          outcomes[index] = outcome;
          slot.tasks.shift();
          if (++done === B) {
            this.pending = null;
            this.idle();
            resolve(outcomes);
          } else deal(slot);
        },
      };
      for (const slot of this.slots) {
        slot.worker.hold?.(true);
        slot.worker.post({ type: 'iteration', plan, params: learnerParams(ctx) });
      }
      for (const slot of this.slots) deal(slot);
    });
  }

  /** Terminates every worker; a run in progress is rejected. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { worker } of this.slots) worker.terminate();
    const pending = this.pending;
    this.pending = null;
    pending?.reject(this.failure ?? new Error('directed-maml worker pool: shut down during an iteration'));
  }

  private idle(): void {
    for (const { worker } of this.slots) worker.hold?.(false);
  }

  private onMessage(k: number, slot: Slot, message: FromPoolWorker): void {
    if (this.closed) return;
    if (message.type === 'outcome') {
      if (message.iteration === this.iteration && this.pending && slot.tasks.indexOf(message.index) > 0) {
        // A worker answers its tasks in order, so the older ones were lost: an error escaped the
        // task (it reports through the thread's error event, which may come a moment after the
        // next answer). Give that event a moment to be the one error; otherwise name the loss.
        const lost = slot.tasks[0];
        setTimeout(() => this.fail(k, `never answered task ${lost} (it answered task ${message.index} after it)`), LOST_TASK_GRACE_MS);
        return;
      }
      if (message.iteration !== this.iteration || message.index !== slot.tasks[0] || !this.pending) {
        this.fail(k, `sent an outcome nobody asked for (task ${message.index} of iteration ${message.iteration})`);
        return;
      }
      this.pending.onOutcome(slot, message.index, message.outcome);
    } else if (message.type === 'error') {
      this.fail(k, message.message);
    } else {
      this.fail(k, `sent an unknown message ${JSON.stringify((message as { type?: unknown }).type)}`);
    }
  }

  /** The first failure becomes the pool's one error; the pool shuts down. */
  private fail(k: number, description: string): void {
    if (this.closed) return;
    const slot = this.slots[k];
    const where = this.iteration < 0 ? 'while starting' : slot && slot.tasks.length > 0 ? `on task ${slot.tasks[0]} of iteration ${this.iteration}` : 'while idle';
    this.failure = new Error(`directed-maml worker pool: worker ${k + 1} of ${this.slots.length} failed ${where}: ${description}; the pool is shut down`);
    this.close();
  }
}
