// Panel 2c · The episodes: one canvas for the policy on the sliders' task (before adapting, the
// current policy — untrained, trained or loaded; after, the meta-policy θ) and one for the adapted
// policy θ′, drawn by the env's renderer at the env's pace times the playback factor.
import type { EpisodeFrames } from '../worker';
import { rendererFor, type RenderFrame } from '../render/index';
import { byId } from './dom';
import type { DemoRecord } from './record';

export interface EpisodesPanel {
  /** Plays one episode of the current policy on the left; the right waits for an adaptation. */
  showPreview(episode: EpisodeFrames, label: string): void;
  /** Plays the meta-policy's and the adapted policy's episodes side by side. */
  showAdaptation(meta: EpisodeFrames, adapted: EpisodeFrames, steps: number): void;
  /** Stops playing and blanks both canvases. */
  clear(): void;
  setSpeed(speed: number): void;
  update(): void;
}

/** An episode ready to play: its frames and the return after each step (so a frame costs O(1)). */
interface Playable { ep: EpisodeFrames; returns: Float64Array }

function playable(ep: EpisodeFrames): Playable {
  const returns = new Float64Array(ep.length + 1);
  for (let t = 0; t < ep.length; t++) returns[t + 1] = returns[t] + ep.rewards[t];
  return { ep, returns };
}

function frameOf({ ep, returns }: Playable, step: number): RenderFrame {
  const s = Math.max(0, Math.min(step, ep.length));
  return {
    scene: ep.scene, step: s, return: returns[s],
    reward: s > 0 ? ep.rewards[s - 1] : 0, end: s === ep.length ? (ep.terminated ? 'terminated' : 'truncated') : null,
  };
}

/** A plain readout for an env without a renderer module. */
function drawWithoutRenderer(ctx: CanvasRenderingContext2D, frame: RenderFrame): void {
  const { width, height } = ctx.canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#1f2328';
  ctx.font = '13px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillText(`${frame.scene.env}: no renderer · step ${frame.step} · return ${frame.return.toFixed(1)}`, 10, 10);
}

export function episodesPanel({ record }: { record: DemoRecord }): EpisodesPanel {
  const canvases = { meta: byId<HTMLCanvasElement>('episode-meta'), adapted: byId<HTMLCanvasElement>('episode-adapted') };
  const captions = { meta: byId<HTMLElement>('caption-meta'), adapted: byId<HTMLElement>('caption-adapted') };
  const speedSelect = byId<HTMLSelectElement>('speed');
  const replayButton = byId<HTMLButtonElement>('replay');
  let episodes: Partial<Record<'meta' | 'adapted', Playable>> = {};
  let animation = 0;

  /** Clears a canvas, with a line of muted text in its middle when given. */
  function blank(key: 'meta' | 'adapted', text = ''): void {
    const ctx = canvases[key].getContext('2d')!;
    ctx.clearRect(0, 0, canvases[key].width, canvases[key].height);
    if (!text) return;
    ctx.fillStyle = '#8c959f';
    ctx.font = '14px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, canvases[key].width / 2, canvases[key].height / 2);
    ctx.textAlign = 'start';
  }

  /** Draws the episodes at `step` (each held at its last frame once over); true when all are over. */
  function drawAt(step: number): boolean {
    let finished = true;
    for (const key of ['meta', 'adapted'] as const) {
      const p = episodes[key];
      if (!p) continue;
      const frame = frameOf(p, step);
      const ctx = canvases[key].getContext('2d')!;
      const renderer = rendererFor(frame.scene.env);
      if (renderer) renderer.draw(ctx, frame); else drawWithoutRenderer(ctx, frame);
      if (step < p.ep.length) finished = false;
    }
    return finished;
  }

  function stop(): void {
    cancelAnimationFrame(animation);
    record.playback = 'idle';
  }

  /**
   * Plays the episodes together at the env's pace times the speed factor. Simulated time advances
   * by each animation frame's duration times the speed read then (a speed change applies from there
   * on), and a frame is drawn only when the step changed. The first frame is drawn at once.
   */
  function play(): void {
    stop();
    const first = episodes.meta ?? episodes.adapted;
    if (!first) return;
    const stepSeconds = first.ep.scene.stepSeconds;
    let simSeconds = 0, last: number | null = null, drawn = 0;
    record.playback = 'playing';
    if (drawAt(0)) { record.playback = 'done'; return; }
    const tick = (now: number) => {
      // Capped so that a tab in the background does not jump to the end when it comes back.
      if (last !== null) simSeconds += (Math.min(Math.max(0, now - last), 100) / 1000) * Number(speedSelect.value);
      last = now;
      const step = Math.floor(simSeconds / stepSeconds);
      if (step !== drawn) {
        drawn = step;
        if (drawAt(step)) {
          record.playback = 'done';
          return;
        }
      }
      animation = requestAnimationFrame(tick);
    };
    animation = requestAnimationFrame(tick);
  }
  replayButton.addEventListener('click', play);

  return {
    showPreview(episode, label) {
      episodes = { meta: playable(episode) };
      blank('adapted', 'the adapted policy plays here after Adapt');
      captions.meta.innerHTML = `${label} · this episode: <b>${episode.return.toFixed(1)}</b>`;
      captions.adapted.textContent = 'adapted policy θ′: press Adapt to see it on this task';
      play();
    },
    showAdaptation(meta, adapted, steps) {
      episodes = { meta: playable(meta), adapted: playable(adapted) };
      captions.meta.innerHTML = `meta-policy θ · this episode: <b>${meta.return.toFixed(1)}</b>`;
      captions.adapted.innerHTML = `adapted θ′ after ${steps} step${steps === 1 ? '' : 's'} · this episode: <b>${adapted.return.toFixed(1)}</b>`;
      play();
    },
    clear() {
      stop();
      episodes = {};
      blank('meta');
      blank('adapted');
      captions.meta.textContent = 'policy θ';
      captions.adapted.textContent = 'adapted policy θ′';
    },
    setSpeed(speed) { speedSelect.value = String(speed); },
    update() { replayButton.disabled = !episodes.meta && !episodes.adapted; },
  };
}
