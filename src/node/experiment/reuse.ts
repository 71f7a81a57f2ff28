// `dmaml experiment --reuse DIR`: cells of an earlier experiment brought into this one instead of
// trained again. A cell's run is a function of its resolved config alone (a resumed run equals an
// uninterrupted one, results are the same for any worker count), so a cell that DIR holds complete
// under the same name, verified as this runner verifies its own (cellComplete: run.json's config
// hash, every metrics line, the checkpoint at the cell's iterations, held-out records of this
// grid's spec), is the cell this grid would train. Each phase's cells are brought in just before
// the phase is surveyed and run (withReuse wraps the executor, local or queue alike: both survey
// the cells they are given, and find the reused ones complete), since the cells of later phases
// depend on the tuning picks.
//
// DIR is only read. A cell is assembled under a temporary sibling in DIR/cells of --out, verified
// there, and renamed into place: a crash leaves no half cell. Files are hard-linked (same file
// system) or copied, except metrics.jsonl, which is always copied: training appends to it and a
// resume cuts it in place, so a shared inode would let a later run in one directory change the
// other's. Every other file of a run directory is only ever replaced by a rename (writeFileAtomic,
// the policy's weights under a new name), which leaves a linked twin untouched.
import { copyFile, link, mkdir, readdir, rename, rm, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { FileError, tempFileOwner, tempPath } from '../store';
import { METRICS_FILE } from '../run-files';
import { isOurLitter } from '../run-lock';
import { cellComplete } from './run-cell';
import { cellDir, CELLS_DIR, type CellExecutor } from './scheduler';
import type { Cell } from './grid';

/** link() failures that mean "no hard links between these two paths": copy instead. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/** Whether `dir` holds the complete run of `cell`; a run of another config or spec there is not (it is left alone). */
async function completeThere(cell: Cell, dir: string): Promise<boolean> {
  try {
    return await cellComplete(cell, dir);
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

/** Copies the tree `from` into the new directory `to`: files hard-linked where possible (metrics.jsonl copied), locks and temporary files left out. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (isOurLitter(entry.name)) continue;
    const src = join(from, entry.name), dst = join(to, entry.name);
    if (entry.isDirectory()) {
      await linkTree(src, dst);
      continue;
    }
    if (entry.name !== METRICS_FILE) {
      try {
        await link(src, dst);
        continue;
      } catch (err) {
        if (!NO_LINK.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
    }
    await copyFile(src, dst, constants.COPYFILE_EXCL);
  }
}

/**
 * Brings into `outDir` every cell of `cells` that is not complete there and is complete in
 * `fromDir`; returns how many. The caller holds `outDir`'s experiment lock, so temporary siblings
 * found in DIR/cells are a dead runner's and are removed first. A cell of `outDir` holding
 * another run is refused by cellComplete as the survey would refuse it.
 */
export async function reuseCells(outDir: string, fromDir: string, cells: readonly Cell[]): Promise<number> {
  const cellsDir = join(outDir, CELLS_DIR);
  try {
    await mkdir(cellsDir, { recursive: true });
    for (const name of await readdir(cellsDir)) {
      if (tempFileOwner(name) !== undefined) await rm(join(cellsDir, name), { recursive: true, force: true });
    }
  } catch (err) {
    throw FileError.from(err, cellsDir, 'prepare');
  }
  let reused = 0;
  for (const cell of cells) {
    const dir = cellDir(outDir, cell);
    if (await cellComplete(cell, dir)) continue;
    const source = cellDir(fromDir, cell);
    if (!(await completeThere(cell, source))) continue;
    const incoming = tempPath(dir);
    try {
      await linkTree(source, incoming);
    } catch (err) {
      await rm(incoming, { recursive: true, force: true });
      throw FileError.from(err, incoming, `bring cell ${cell.name} from ${source} into`);
    }
    // The copy is verified where it stands (DIR may have changed while it was read).
    if (!(await completeThere(cell, incoming))) {
      await rm(incoming, { recursive: true, force: true });
      continue;
    }
    try {
      // An unfinished cell in the way (this grid's, found incomplete) steps aside before the rename.
      const aside = tempPath(dir);
      await rename(dir, aside).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
      await rename(incoming, dir);
      await rm(aside, { recursive: true, force: true });
    } catch (err) {
      await rm(incoming, { recursive: true, force: true });
      throw FileError.from(err, dir, `move cell ${cell.name} into`);
    }
    reused++;
  }
  return reused;
}

/**
 * `executor` with each phase's cells first taken from `fromDir` where it holds them complete:
 * one line per phase on stderr, `reused N cells from DIR`.
 */
export function withReuse(executor: CellExecutor, outDir: string, fromDir: string): CellExecutor {
  return {
    where: executor.where,
    jobs: executor.jobs,
    close: () => executor.close(),
    async run(cells, phase) {
      if (cells.length > 0) {
        const n = await reuseCells(outDir, fromDir, cells);
        process.stderr.write(`dmaml experiment: ${phase}reused ${n} cells from ${fromDir}\n`);
      }
      return executor.run(cells, phase);
    },
  };
}
