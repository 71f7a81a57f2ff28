// The training progress line on stderr. On a terminal: one line redrawn in place. Elsewhere (CI
// logs, a pipe): plain lines, at most one per `plainIntervalSeconds` plus the first and the last,
// so a long run never floods a log.
import type { IterationMetrics } from '../train/types';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Iterations already done before this process started (resume): counted in i/N, not in s/it. */
  start?: number;
  stream?: ProgressStream;
  /** Minimum seconds between two plain (non-TTY) lines. Default 10. */
  plainIntervalSeconds?: number;
  /** Clock in seconds (tests pass a fake one). */
  now?: () => number;
}

/** h:mm:ss or m:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly start: number;
  private readonly tty: boolean;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly t0: number;
  private lastPlain = -Infinity;
  private done = 0;
  private drawn = false;

  constructor(readonly total: number, options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.start = options.start ?? 0;
    this.tty = this.stream.isTTY === true;
    this.interval = options.plainIntervalSeconds ?? 10;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.t0 = this.now();
  }

  /** The status text after `m` (the iterations-so-far count is start + updates). */
  private status(m: IterationMetrics, barWidth: number): string {
    const count = this.start + this.done;
    const elapsed = this.now() - this.t0;
    const perIteration = elapsed / Math.max(1, this.done);
    const eta = perIteration * Math.max(0, this.total - count);
    const width = String(this.total).length;
    const stats = `${String(count).padStart(width)}/${this.total}  pre ${m.preReturn.toFixed(1)}  post ${m.postReturn.toFixed(1)}  ${perIteration.toFixed(2)} s/it  ETA ${formatDuration(eta)}`;
    if (barWidth <= 0) return stats;
    const filled = Math.round((barWidth * count) / Math.max(1, this.total));
    return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${stats}`;
  }

  /** Reports one finished iteration. */
  update(m: IterationMetrics): void {
    this.done++;
    const count = this.start + this.done;
    if (this.tty) {
      const columns = this.stream.columns ?? 80;
      const bar = Math.max(0, Math.min(30, columns - 70));
      const line = this.status(m, bar).slice(0, Math.max(10, columns - 1));
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const t = this.now();
    if (this.done === 1 || count >= this.total || t - this.lastPlain >= this.interval) {
      this.stream.write(`iteration ${this.status(m, 0)}\n`);
      this.lastPlain = t;
    }
  }

  /** Ends the redrawn line (TTY) so later output starts on a fresh line. */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
