// Panel 2b · Adapt: steps, episodes, inner rate and seed; Adapt sends the sliders' task to the
// worker; the status line and the mean return after each step (bars) show what came back.
import type { AdaptRequest, FromWorker } from '../worker';
import { byId, numberOf, formatParam, setStatus, type Typed } from './dom';
import { training, type DemoRecord } from './record';
import type { PageSettings } from './settings';

type Adapted = Extract<FromWorker, { type: 'adapted' }>;

export interface AdaptPanel {
  /** The env's starting steps and episodes. */
  apply(s: PageSettings): void;
  /** The seed of the episodes shown (the adaptation's, so that a preview and an adaptation start alike). */
  seed(): number;
  setState(state: DemoRecord['adaptState'], text: string): void;
  /** Shows an adaptation; `taskText` names the parameters that vary or lie outside the training ranges. */
  onAdapted(message: Adapted, taskText: string, outside: string[]): void;
  /** Forgets the shown adaptation's status and bars (a new policy, a new task). */
  clear(): void;
  typed(): Record<string, Typed>;
  update(): void;
}

const IDLE = 'Adapt: k policy-gradient steps on the task above, from the policy shown; then it and the adapted policy play from the same start.';

export function adaptPanel({ record, onSubmit }: { record: DemoRecord; onSubmit(request: Omit<AdaptRequest, 'task'>): void }): AdaptPanel {
  const inputs = {
    steps: byId<HTMLInputElement>('adapt-steps'),
    episodes: byId<HTMLInputElement>('adapt-episodes'),
    innerLr: byId<HTMLInputElement>('adapt-lr'),
    seed: byId<HTMLInputElement>('adapt-seed'),
  };
  const adaptButton = byId<HTMLButtonElement>('adapt');
  const status = byId<HTMLDivElement>('adapt-status');
  const returnsBox = byId<HTMLDivElement>('returns');

  function showReturns(returns: number[]): void {
    const top = Math.max(1e-9, ...returns.map(Math.abs));
    returnsBox.replaceChildren(...returns.map((r, j) => {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.dataset.value = String(r);
      bar.innerHTML = `<span>${r.toFixed(1)}</span><div class="fill" style="height:${Math.max(2, (60 * Math.abs(r)) / top).toFixed(0)}px"></div><span>after ${j}</span>`;
      return bar;
    }));
  }

  const panel: AdaptPanel = {
    apply(s) {
      inputs.steps.value = String(s.adaptSteps);
      inputs.episodes.value = String(s.adaptEpisodes);
    },
    seed: () => numberOf(inputs.seed),
    setState(state, text) {
      record.adaptState = state;
      setStatus(status, state, text);
    },
    onAdapted(message, taskText, outside) {
      showReturns(message.returns);
      const r = message.returns;
      panel.setState('ok', `Task ${taskText || '(medium)'}${outside.length ? ` — outside the training range: ${outside.join(', ')}` : ''} · `
        + `mean return ${r[0].toFixed(1)} → ${r[r.length - 1].toFixed(1)} after ${message.steps} step${message.steps === 1 ? '' : 's'} `
        + `(${message.episodes} episodes per step, α ${message.innerLr.toPrecision(3)}, ${(message.seconds * 1000).toFixed(0)} ms)`);
    },
    clear() {
      returnsBox.replaceChildren();
      if (record.adaptState !== 'busy') panel.setState('idle', IDLE);
    },
    typed: () => ({
      steps: { label: 'Steps k', text: inputs.steps.value },
      episodes: { label: 'Episodes / step', text: inputs.episodes.value },
      innerLr: { label: 'Inner lr α', text: inputs.innerLr.value },
      seed: { label: 'Seed (adapt)', text: inputs.seed.value },
    }),
    update() {
      adaptButton.disabled = training(record) || record.policy === null || record.adaptState === 'busy';
    },
  };

  byId<HTMLFormElement>('adapt-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!record.policy) return;
    const lrText = inputs.innerLr.value.trim();
    const request = { steps: numberOf(inputs.steps), episodes: numberOf(inputs.episodes), innerLr: lrText === '' ? null : Number(lrText), seed: numberOf(inputs.seed) };
    panel.setState('busy', `Adapting for ${inputs.steps.value.trim() || '?'} step${request.steps === 1 ? '' : 's'}…`);
    onSubmit(request);
  });
  return panel;
}

/** The task as the status line names it: the parameters that vary in training or lie outside it. */
export function taskText(params: { name: string; low: number; high: number }[], task: Record<string, number>, outside: string[]): string {
  return params.filter((p) => p.low !== p.high || outside.includes(p.name)).map((p) => `${p.name} ${formatParam(task[p.name])}`).join(', ');
}
