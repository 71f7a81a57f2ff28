// Inside a pool worker (src/train/pool.ts): the isomorphic part. The thread entries adapt their
// message port to a WorkerHost — src/node/pool-worker.ts (worker_threads) and
// src/browser/pool-worker.ts (Web Workers) — and call serveTasks.
import { init } from '../init';
import { taskFamily } from '../envs/task-family';
import { importEnv } from '../envs/registry';
import { createPolicy } from '../nn/policy';
import { runTask, type IterationPlan, type LearnerParams, type MetaStepContext } from '../meta/meta-step';
import type { BackendName } from '../core/backend';
import { algorithmFromConfig, metaStepSettings } from './trainer';
import { transferList, type FromPoolWorker, type PoolFault, type ToPoolWorker } from './pool';

export interface WorkerHost {
  post(message: FromPoolWorker, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: ToPoolWorker) => void): void;
  /** Ends this thread at once (the 'exit' test fault). */
  exit(code: number): void;
}

const describe = (err: unknown): string => (err instanceof Error ? err.stack ?? err.message : String(err));

/** Answers the pool's messages until the thread is terminated. */
export function serveTasks(host: WorkerHost): void {
  // The config's part of the context (init), and the whole context of the current iteration.
  let settings: Omit<MetaStepContext, keyof LearnerParams> | null = null;
  let ctx: MetaStepContext | null = null;
  let plan: IterationPlan | null = null;
  let fault: PoolFault | undefined;
  // Messages are handled in arrival order; initialisation is the only asynchronous step.
  let queue: Promise<void> = Promise.resolve();

  const handle = async (message: ToPoolWorker): Promise<void> => {
    if (message.type === 'init') {
      const { config } = message;
      fault = message.fault;
      await init({ backend: message.backend as BackendName, wasmPaths: message.wasmPaths });
      if (message.envModule) await importEnv(message.envModule.url, message.envModule.exportName, config.env);
      const family = taskFamily(config.env, config.ranges);
      const policy = createPolicy({ obsDim: family.obsDim, numActions: family.numActions, actionSize: family.actionSize, hidden: config.hidden, activation: config.activation, seed: config.seed });
      settings = metaStepSettings(config, family, policy, algorithmFromConfig(config), () => {
        throw new Error('a pool worker does not update θ');
      });
      host.post({ type: 'ready' });
    } else if (message.type === 'iteration') {
      if (!settings) throw new Error('iteration before init');
      plan = message.plan;
      ctx = { ...settings, ...message.params };
      ctx.policy.setFlat(ctx.theta); // the tfjs meta-gradient differentiates the policy's variables
    } else if (message.type === 'task') {
      if (!ctx || !plan) throw new Error(`task ${message.index} before its iteration`);
      if (fault && fault.iteration === plan.iteration && fault.task === message.index) injectFault(host, fault);
      const outcome = runTask(ctx, plan, message.index);
      host.post({ type: 'outcome', iteration: plan.iteration, index: message.index, outcome },
        transferList([outcome.gradTheta, outcome.gradInnerLr, outcome.preReturns, outcome.postReturns]));
    } else {
      throw new Error(`unknown message type ${JSON.stringify((message as { type?: unknown }).type)}`);
    }
  };

  host.onMessage((message) => {
    queue = queue.then(() => handle(message)).catch((err) => {
      if (err instanceof StopTask) return;
      const index = message.type === 'task' ? message.index : undefined;
      host.post({ type: 'error', message: describe(err), index });
    });
  });
}

function injectFault(host: WorkerHost, fault: PoolFault): void {
  const what = `injected fault (${fault.kind}) on task ${fault.task} of iteration ${fault.iteration}`;
  if (fault.kind === 'throw') throw new Error(what);
  if (fault.kind === 'exit') host.exit(3);
  // 'uncaught': thrown outside every handler of this thread; the task then never answers.
  else setTimeout(() => { throw new Error(what); }, 0);
  throw new StopTask();
}

/** Ends a task without an answer (the 'uncaught' and 'exit' faults report through the thread's events). */
class StopTask extends Error {}
