// The tuning phase of an experiment: the outer-lr sweep's cells, then as many widening rounds as
// its edge picks ask for (analysis.ts widenSweep), each round's new cells run on the same seeds and
// the picks made again, until they are final. Every round is computed from finished cells alone, so
// a rerun after an interruption recomputes the same rounds and reuses the cells already run; the
// same loop serves the local pool and a queue (it only asks its caller to run a list of cells).
import { tuneCells, type Cell, type Grid, type Widened } from './grid';
import { widenSweep, type Picks } from './analysis';
import { pickOuterLr } from './report';

export interface TuningOutcome extends Picks {
  /** Every tuning cell, the widening's included: what the report reads. */
  cells: Cell[];
}

/**
 * Runs the sweep to its final picks. `run(cells)` runs (or, for a dry survey, checks) a round's
 * cells and resolves true when every one is complete; false (interrupted, or not yet run) ends the
 * loop with null.
 */
export async function settleTuning(outDir: string, grid: Grid, run: (cells: Cell[]) => Promise<boolean>): Promise<TuningOutcome | null> {
  let widened: Widened = {};
  for (;;) {
    const cells = tuneCells(grid, widened);
    if (!(await run(cells))) return null;
    const picks = await pickOuterLr(outDir, grid, cells);
    const next = widenSweep(grid, picks.tuning);
    if (next === null) return { cells, ...picks };
    widened = next;
  }
}
