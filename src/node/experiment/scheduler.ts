// Runs a list of grid cells: complete ones are skipped, interrupted ones resume from their
// checkpoint, at most `jobs` at a time (the local pool: each cell's runs are child processes, each
// with workersPerCell(jobs) worker threads, so the cells together use the cores without
// oversubscribing them). One progress bar over the whole grid.
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { ProgressBar, type ProgressStream } from '../progress';
import type { Cell } from './grid';
import { cellComplete, readCellState, type RunCell } from './run-cell';

export const CELLS_DIR = 'cells';

export function cellDir(outDir: string, cell: Cell): string {
  return join(outDir, CELLS_DIR, cell.name);
}

export const defaultJobs = (): number => Math.max(1, availableParallelism());

/**
 * Worker threads per cell when `jobs` cells train side by side: the cores shared out, at least one
 * (cells × workers never exceeds the cores unless jobs does). Not part of a run's identity
 * (RESUMABLE_FIELDS): a cell resumed with another count gives the same results.
 */
export const workersPerCell = (jobs: number): number => Math.max(1, Math.floor(availableParallelism() / jobs));

/** Iterations of every cell toward one grid-wide count (for the progress bar and its ETA). */
export class GridProgress {
  private readonly done = new Map<string, number>();
  private readonly finished = new Set<string>();
  private readonly bar: ProgressBar;
  readonly total: number;

  constructor(readonly cells: readonly Cell[], initial: ReadonlyMap<string, number>, stream?: ProgressStream, private readonly phase = '') {
    this.total = cells.reduce((s, c) => s + c.config.iterations, 0);
    for (const c of cells) this.done.set(c.name, initial.get(c.name) ?? 0);
    const start = [...this.done.values()].reduce((s, v) => s + v, 0);
    this.bar = new ProgressBar(this.total, { start, stream, label: 'experiment' });
  }

  private count(): number {
    return [...this.done.values()].reduce((s, v) => s + v, 0);
  }

  iterations(cell: Cell, iterations: number): void {
    if (this.done.get(cell.name) === iterations) return;
    this.done.set(cell.name, iterations);
    this.draw();
  }

  cellDone(cell: Cell): void {
    this.finished.add(cell.name);
    this.draw();
  }

  draw(): void {
    this.bar.advance(this.count(), `${this.phase}cells ${this.finished.size}/${this.cells.length}`);
  }

  finish(): void {
    this.bar.finish();
  }
}

export interface ScheduleOptions {
  jobs: number;
  runCell: RunCell;
  signal?: AbortSignal;
  stream?: ProgressStream;
  /** Prefix of the progress text ('tuning ', …). */
  phase?: string;
}

export interface ScheduleResult {
  /** Cells complete (including those found complete). */
  complete: number;
  interrupted: boolean;
}

/**
 * Where the cells stand in `outDir`: the iterations each has done (a complete one: all of them)
 * and, in grid order, the cells still to run (to start or to resume).
 */
export async function surveyCells(outDir: string, cells: readonly Cell[]): Promise<{ initial: Map<string, number>; pending: Cell[] }> {
  const initial = new Map<string, number>();
  const pending: Cell[] = [];
  for (const cell of cells) {
    const dir = cellDir(outDir, cell);
    if (await cellComplete(cell, dir)) {
      initial.set(cell.name, cell.config.iterations);
    } else {
      initial.set(cell.name, (await readCellState(dir).catch(() => null))?.iteration ?? 0);
      pending.push(cell);
    }
  }
  return { initial, pending };
}

/**
 * Runs every incomplete cell of `cells` under `outDir/cells/<name>`. The first failing cell stops
 * the others (after their current iteration) and its error is thrown.
 */
export async function runLocal(outDir: string, cells: readonly Cell[], options: ScheduleOptions): Promise<ScheduleResult> {
  if (cells.length === 0) return { complete: 0, interrupted: false };
  const { initial, pending } = await surveyCells(outDir, cells);
  let complete = cells.length - pending.length;
  const resuming = pending.filter((c) => (initial.get(c.name) ?? 0) > 0).length;
  (options.stream ?? process.stderr).write(`dmaml experiment: ${options.phase}${cells.length} cells: ${complete} complete, ${resuming} to resume, ${pending.length - resuming} to start\n`);
  const progress = new GridProgress(cells, initial, options.stream, options.phase);
  for (const cell of cells) if (!pending.includes(cell)) progress.cellDone(cell);
  const stop = new AbortController();
  // The reason travels on: 'group-signal' (a Ctrl-C the cells' processes got from the terminal
  // themselves) must not become a second SIGINT, which would stop them at once instead of after
  // their iteration.
  const onOuterAbort = () => stop.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', onOuterAbort);
  if (options.signal?.aborted) onOuterAbort();
  let failure: unknown = null;
  let interrupted = false;
  const queue = [...pending];
  const lane = async (): Promise<void> => {
    for (let cell = queue.shift(); cell && !stop.signal.aborted; cell = queue.shift()) {
      try {
        const outcome = await options.runCell(cell, cellDir(outDir, cell), {
          signal: stop.signal,
          onIterations: (n) => progress.iterations(cell!, n),
        });
        if (outcome.interrupted) interrupted = true;
        else { complete++; progress.cellDone(cell); }
      } catch (err) {
        if (failure === null) failure = err;
        stop.abort();
      }
    }
  };
  try {
    progress.draw();
    await Promise.all(Array.from({ length: Math.min(options.jobs, Math.max(1, pending.length)) }, lane));
  } finally {
    progress.finish();
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (failure !== null) throw failure;
  return { complete, interrupted: interrupted || complete < cells.length };
}

/** Runs a phase's cells somewhere (the local pool or a queue); resolves when they are done or interrupted. */
export interface CellExecutor {
  run(cells: readonly Cell[], phase: string): Promise<ScheduleResult>;
  /** 'local' or where the queue is, for RESULTS.md. */
  readonly where: string;
  readonly jobs: number;
  close(): Promise<void>;
}
