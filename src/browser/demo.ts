// The browser demo's page script (demo.html): a thin dispatcher. The panels (panels/*.ts) own their
// elements and state: 1 · meta-train (train.ts, curve.ts); 2 · the policy on a task chosen with
// sliders (policy.ts), adapting it (adapt.ts) and the episodes played (episodes.ts); 3 · save, load
// and delete (store.ts). All library work runs in worker.ts; this thread sends requests and draws
// what comes back, so it never loads tfjs (it imports types, the renderers and the plotting module).
//
// The page starts alive: once the worker is ready it asks for the chosen env's untrained policy (what
// a run starts from) and plays it on the page's starting task; a new env or a moved slider plays again.
import type { FromWorker, ToWorker, PolicyInfo } from './worker';
import { newRecord, training, type DemoRecord } from './panels/record';
import { trainPanel } from './panels/train';
import { curvePanel } from './panels/curve';
import { policyPanel } from './panels/policy';
import { adaptPanel, taskText } from './panels/adapt';
import { episodesPanel } from './panels/episodes';
import { storePanel } from './panels/store';
import { inPageWords } from './panels/words';

const record: DemoRecord = newRecord();
(window as unknown as { dmDemo: DemoRecord }).dmDemo = record;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message: ToWorker): void => worker.postMessage(message);

/** The sliders' task, kept across a run or a new policy of the same env; an env's starting task when the env changes. */
let task: { env: string; values: Record<string, number> } = { env: '', values: {} };

/** The last episode asked for; an answer to an older request (or one overtaken by Adapt) is dropped. */
let playId = 0;
let playTimer: ReturnType<typeof setTimeout> | undefined;

function refresh(): void {
  for (const panel of [train, adapt, episodes, store]) panel.update();
}

/** Asks for the current policy's episode on the sliders' task (soon: a dragged slider asks once). */
function playSoon(delayMs = 0): void {
  clearTimeout(playTimer);
  playTimer = setTimeout(() => {
    if (!record.policy || training(record)) return;
    send({ type: 'play', id: ++playId, task: policy.task(), seed: adapt.seed() });
  }, delayMs);
}

/** A new env chosen in the form: its untrained policy replaces the current one; nothing of the old env stays. */
function onEnv(env: string): void {
  const s = train.settings(env);
  episodes.setSpeed(s.speed);
  adapt.apply(s);
  train.clearRun();
  if (record.state === 'error' || record.state === 'finished' || record.state === 'stopped') train.setState('ready', `Ready: ${env}.`);
  record.policy = null;
  record.preview = null;
  record.adaptation = null;
  policy.clear(`Making the untrained ${env} policy…`);
  adapt.clear();
  episodes.clear();
  if (record.store.state === 'error') store.reset();
  task = { env, values: s.task };
  send({ type: 'untrained', config: train.untrainedFields() });
  refresh();
}

/** The form's hidden sizes, seed or step limit changed: an untrained policy shown (or one that could not be made) is remade from them. */
function onUntrainedFields(): void {
  if ((record.policy !== null && record.policy.source !== 'untrained') || training(record)) return;
  if (record.state === 'error') train.setState('ready', `Ready: ${train.env()}.`);
  send({ type: 'untrained', config: train.untrainedFields() });
}

const train = trainPanel({ record, send, onEnv, onUntrainedFields, redrawCurve: () => curve.draw(), refresh });
const curve = curvePanel({ record, planned: () => train.plannedIterations(), env: () => train.env() });
const policy = policyPanel({
  onTaskChange() {
    // The shown adaptation was for another task: its bars and episodes go, the policy plays the new one.
    if (record.policy) task = { env: record.policy.env, values: policy.task() };
    adapt.clear();
    playSoon(120);
    refresh();
  },
});
const adapt = adaptPanel({
  record,
  onSubmit(request) {
    clearTimeout(playTimer);
    playId++; // an episode still on its way is for the view the adaptation replaces
    send({ type: 'adapt', request: { ...request, task: policy.task() } });
    refresh();
  },
});
const episodes = episodesPanel({ record });
const store = storePanel({ record, send });

function onPolicy(info: PolicyInfo): void {
  const s = train.settings(info.env);
  if (record.policy?.env !== info.env) episodes.setSpeed(s.speed);
  record.policy = info;
  record.adaptation = null;
  record.preview = null;
  if (task.env !== info.env) task = { env: info.env, values: s.task };
  policy.show(info, task.values);
  adapt.clear();
  episodes.clear();
  store.onPolicy(info);
  playSoon();
}

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'ready':
      train.onReady(message);
      send({ type: 'list' });
      break;
    case 'started':
      train.onStarted(message);
      record.policy = null;
      record.preview = null;
      record.adaptation = null;
      clearTimeout(playTimer);
      policy.clear('Meta-training… the policy appears here when the run ends (or is stopped).');
      adapt.clear();
      episodes.clear();
      break;
    case 'metrics':
      train.onMetrics(message.metrics);
      break;
    case 'done':
      train.onDone(message);
      break;
    case 'policy':
      onPolicy(message.info);
      break;
    case 'episode': {
      if (message.id !== playId || !record.policy) break;
      const info = record.policy;
      record.preview = { env: info.env, task: message.task, return: message.episode.return, length: message.episode.length };
      episodes.showPreview(message.episode, info.source === 'untrained' ? 'untrained policy θ₀' : 'meta-policy θ');
      break;
    }
    case 'adapted': {
      const outside = policy.outside(message.task);
      record.adaptation = {
        task: message.task, outside, steps: message.steps, innerLr: message.innerLr, returns: message.returns, seconds: message.seconds,
        metaEpisodeReturn: message.meta.return, adaptedEpisodeReturn: message.adapted.return,
      };
      record.preview = null;
      adapt.onAdapted(message, taskText(record.policy?.params ?? [], message.task, outside), outside);
      episodes.showAdaptation(message.meta, message.adapted, message.steps);
      break;
    }
    case 'saved': case 'download': case 'models': case 'deleted':
      store.onMessage(message);
      break;
    case 'error':
      switch (message.during) {
        case 'start': case 'init':
          train.setState('error', inPageWords(message, train.typed()));
          break;
        case 'untrained':
          if (training(record)) break; // a run started meanwhile: its policy replaces the untrained one
          train.setState('error', inPageWords(message, train.typed()));
          record.policy = null;
          record.preview = null;
          policy.clear('No policy: fix the form above (the untrained policy is made from its env, hidden sizes, seed and max steps).');
          adapt.clear();
          episodes.clear();
          break;
        case 'adapt': case 'play':
          if (!training(record)) adapt.setState('error', inPageWords(message, { ...adapt.typed(), task: { label: 'Task', text: JSON.stringify(policy.task()) } }));
          break;
        default:
          store.setState('error', inPageWords(message, store.typed()));
      }
      break;
  }
  refresh();
});
worker.addEventListener('error', (event) => train.setState('error', `Error in the worker: ${event.message || 'it could not be loaded'}`));

train.setState('loading', 'Loading the library in a Web Worker…');
