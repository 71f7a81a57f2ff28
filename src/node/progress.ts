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
  /** First word of a plain (non-TTY) line. Default 'iteration'. */
  label?: string;
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
  private readonly label: string;
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
    this.label = options.label ?? 'iteration';
    this.t0 = this.now();
  }

  /** The status text at `count` units done, with `text` (returns, cells, …) after i/N. */
  private status(count: number, text: string, barWidth: number): string {
    const elapsed = this.now() - this.t0;
    const perUnit = elapsed / Math.max(1, this.done);
    const eta = perUnit * Math.max(0, this.total - count);
    const width = String(this.total).length;
    const stats = `${String(count).padStart(width)}/${this.total}  ${text}  ${perUnit.toFixed(2)} s/it  ETA ${formatDuration(eta)}`;
    if (barWidth <= 0) return stats;
    const filled = Math.round((barWidth * count) / Math.max(1, this.total));
    return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${stats}`;
  }

  /** Reports one finished iteration. */
  update(m: IterationMetrics): void {
    this.advance(this.start + this.done + 1, `pre ${m.preReturn.toFixed(1)}  post ${m.postReturn.toFixed(1)}`);
  }

  /**
   * Reports `count` units done in total (start included), described by `text`: the general form
   * of update, for bars over other units (the iterations of a whole experiment grid).
   */
  advance(count: number, text: string): void {
    this.done = count - this.start;
    if (this.tty) {
      const columns = this.stream.columns ?? 80;
      const bar = Math.max(0, Math.min(30, columns - 70));
      const line = this.status(count, text, bar).slice(0, Math.max(10, columns - 1));
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const t = this.now();
    if (this.lastPlain === -Infinity || count >= this.total || t - this.lastPlain >= this.interval) {
      this.stream.write(`${this.label} ${this.status(count, text, 0)}\n`);
      this.lastPlain = t;
    }
  }

  /** Ends the redrawn line (TTY) so later output starts on a fresh line. */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
