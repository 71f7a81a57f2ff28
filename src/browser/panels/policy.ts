// Panel 2a · The policy and its task: what the current policy is, and a slider per task parameter
// (values outside the training ranges allowed and marked). A slider moved asks for the policy's
// episode on the new task (the dispatcher sends it).
import type { PolicyInfo, TaskParam } from '../worker';
import { byId, formatParam } from './dom';

export interface PolicyPanel {
  /** Shows `info` and builds its sliders at `start` (a parameter left out: its medium value). */
  show(info: PolicyInfo, start: Record<string, number>): void;
  /** No policy (while a run or the env's untrained policy is being made): `text` says why. */
  clear(text: string): void;
  /** The task the sliders show, by name. */
  task(): Record<string, number>;
  /** Parameters of `task` outside the policy's training ranges. */
  outside(task: Record<string, number>): string[];
}

/**
 * Slider bounds: the training range widened by half its width each side (a fixed value: ±50%; a
 * value fixed at 0, like the lander's wind: the whole physical domain), within that domain, on a
 * grid of a round step (1, 2 or 5 × 10^k, about 1/200 of the span) so that round values, the
 * medium task's among them, are on it.
 */
function sliderBounds(p: TaskParam): { min: number; max: number; step: number } {
  const width = p.high - p.low;
  let lo: number, hi: number;
  if (width > 0) [lo, hi] = [p.low - width / 2, p.high + width / 2];
  else if (p.low === 0) [lo, hi] = [p.min, p.max];
  else [lo, hi] = [p.low * 0.5, p.low * 1.5];
  if (hi < lo) [lo, hi] = [hi, lo];
  const raw = (hi - lo) / 200;
  const decade = 10 ** Math.floor(Math.log10(raw));
  const step = [5, 2, 1].map((m) => m * decade).find((s) => s <= raw)!;
  const onGrid = (v: number) => Number((Math.round(v / step) * step).toPrecision(12));
  lo = onGrid(Math.max(lo, p.min));
  hi = onGrid(Math.min(hi, p.max));
  if (lo < p.min || (lo === p.min && !p.minInclusive)) lo = onGrid(lo + step);
  if (hi > p.max || (hi === p.max && !p.maxInclusive)) hi = onGrid(hi - step);
  return { min: lo, max: hi, step };
}

const isOutside = (p: TaskParam, v: number): boolean => v < p.low - 1e-6 * Math.max(1, Math.abs(p.low)) || v > p.high + 1e-6 * Math.max(1, Math.abs(p.high));

function describePolicy(info: PolicyInfo): string {
  const trained = info.source === 'untrained'
    ? `${info.origin}: what meta-training starts from`
    : `${info.algo ? `${info.algo}${info.iterations !== null ? `, ${info.iterations} iteration${info.iterations === 1 ? '' : 's'}` : ''}` : 'origin unknown'} · ${info.origin}`;
  const lr = info.learnedRates ? `learned inner rates (mean ${info.innerLr.toPrecision(3)})` : `α ${info.innerLr}`;
  return `Policy: ${info.env} · ${trained} · hidden ${info.hidden.join(',') || 'none'} ${info.activation} · ${lr}`;
}

export function policyPanel({ onTaskChange }: { onTaskChange(): void }): PolicyPanel {
  const policyInfo = byId<HTMLParagraphElement>('policy-info');
  const taskParams = byId<HTMLDivElement>('task-params');
  let params: TaskParam[] = [];

  function slider(p: TaskParam, start: number): HTMLDivElement {
    const box = document.createElement('div');
    box.className = 'param';
    box.dataset.name = p.name;
    const { min, max, step } = sliderBounds(p);
    const trained = p.low === p.high ? `trained at ${formatParam(p.low)}` : `trained on [${formatParam(p.low)}, ${formatParam(p.high)}]`;
    box.innerHTML = `<div class="head"><span title="${p.description.replace(/"/g, '&quot;')}">${p.name}</span><span class="value"></span></div>`
      + `<input type="range" min="${min}" max="${max}" step="${step}" aria-label="${p.name}">`
      + `<div class="range">${trained} <span class="outside-mark">· outside the training range</span></div>`;
    const input = box.querySelector('input') as HTMLInputElement;
    const value = box.querySelector('.value') as HTMLElement;
    const show = () => {
      const v = Number(input.value);
      value.textContent = formatParam(v);
      box.dataset.outside = String(isOutside(p, v));
    };
    input.value = String(start);
    input.addEventListener('input', () => { show(); onTaskChange(); });
    show();
    return box;
  }

  return {
    show(info, start) {
      params = info.params;
      policyInfo.textContent = describePolicy(info);
      policyInfo.dataset.hasPolicy = 'true';
      taskParams.replaceChildren(...info.params.map((p) => slider(p, start[p.name] ?? info.medium[p.name])));
    },
    clear(text) {
      params = [];
      policyInfo.textContent = text;
      policyInfo.dataset.hasPolicy = 'false';
      taskParams.replaceChildren();
    },
    task() {
      const task: Record<string, number> = {};
      for (const box of Array.from(taskParams.querySelectorAll<HTMLDivElement>('.param'))) task[box.dataset.name!] = Number(box.querySelector('input')!.value);
      return task;
    },
    outside: (task) => params.filter((p) => isOutside(p, task[p.name])).map((p) => p.name),
  };
}
