// Files of a training run (Node only): atomic writes, the policy as a tfjs LayersModel directory,
// metrics.jsonl. A crash at any moment leaves every file either as it was or complete, except the
// last line of metrics.jsonl, which is appended (see appendMetrics and src/node/run-dir.ts).
import { open, readFile, rename, unlink, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { tf } from '../core/backend';
import { fnv1a64 } from '../train/checkpoint';
import { cutText, escapeControl } from '../errors';
import type { IterationMetrics } from '../train/types';

/**
 * A file-system failure as one line: the path, what was being done and the system's cause
 * (`cannot write runs/a/state.json: no space left on device (ENOSPC)`). `hint` says what to do.
 */
export class FileError extends Error {
  constructor(readonly path: string, readonly action: string, readonly code: string | undefined, readonly cause: string, readonly hint = '') {
    super(escapeControl(`cannot ${action} ${cutText(path, 300)}: ${cause}${code ? ` (${code})` : ''}${hint ? `; ${cutText(hint, 600)}` : ''}`));
    this.name = 'FileError';
  }

  /** A FileError from a Node system error (or the error itself when it is not one). */
  static from(err: unknown, path: string, action: string): Error {
    if (err instanceof FileError) return err;
    const e = err as NodeJS.ErrnoException;
    if (!e || typeof e.code !== 'string') return err as Error;
    // Node's message is "CODE: description, syscall 'path'": keep the description.
    const cause = /^[A-Z0-9_]+: ([^,]+)/.exec(e.message ?? '')?.[1] ?? e.message;
    return new FileError(path, action, e.code, cause);
  }

  /** The same failure with advice appended. */
  withHint(hint: string): FileError {
    return new FileError(this.path, this.action, this.code, this.cause, hint);
  }
}

/**
 * mkdir -p with the real cause on failure. Node's recursive mkdir reports the errors it does not
 * list (EROFS: a read-only file system) as ENOENT, from a stat of the path it could not make: on
 * ENOENT, the first missing directory is made alone, whose error is the real one.
 * Resolves to the first directory made (undefined when `path` existed), like mkdir.
 */
export async function makeDir(path: string): Promise<string | undefined> {
  try {
    return await mkdir(path, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let missing = path;
    for (let parent = dirname(missing); parent !== missing; missing = parent, parent = dirname(parent)) {
      if (await stat(parent).then(() => true, () => false)) break;
    }
    await mkdir(missing); // throws the cause (EROFS, …); if it succeeds, the race is past: retry
    await mkdir(path, { recursive: true });
    return missing;
  }
}

/** Runs `fn`, turning a system error into a FileError naming `path`. */
export async function onFile<T>(path: string, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw FileError.from(err, path, action);
  }
}

/** The text of `path`, or null when there is no such file; any other failure is a FileError naming it. */
export async function readTextIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw FileError.from(err, path, 'read');
  }
}

/** The temporary name writeFileAtomic writes to: `<path>.tmp-<pid>-<random>`. */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The pid in a name made by tempPath, or undefined when the name is not one. */
export function tempFileOwner(name: string): number | undefined {
  const m = /\.tmp-(\d+)-[0-9a-z]+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Writes to a temporary name (tempPath), flushes it to disk, then renames it over `path` (atomic
 * on POSIX file systems): readers see the old file or the new one, never a half-written one. On
 * failure the temporary file is removed, `path` is as it was, and the error is a FileError.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPath(path);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw FileError.from(err, path, 'write');
  }
}

const MODEL_JSON = 'model.json';

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.concatenateArrayBuffers(data));
}

/**
 * A tfjs save handler writing `dir/model.json` and `dir/weights-<hash>.bin`. model.json is the
 * commit point: the weights go first under a name derived from their content, then model.json
 * (atomically) names them, then older weight files are removed — so model.json always refers to
 * complete weights that match it, whenever a crash happens. `metadata` is merged into the model's
 * userDefinedMetadata (the run directory records its identity there).
 */
export function fileSaveHandler(dir: string, metadata?: Record<string, unknown>): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('fileSaveHandler: binary topologies are not supported');
      await onFile(dir, 'create', () => makeDir(dir));
      const bytes = weightBytes(artifacts.weightData);
      const weightsFile = `weights-${fnv1a64(bytes)}.bin`;
      await writeFileAtomic(join(dir, weightsFile), bytes);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata || metadata) modelJson.userDefinedMetadata = { ...artifacts.userDefinedMetadata, ...metadata } as Record<string, {}>;
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      for (const name of await readdir(dir)) {
        if (/^weights-[0-9a-f]{16}\.bin$/.test(name) && name !== weightsFile) await unlink(join(dir, name)).catch(() => undefined);
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** A tfjs load handler reading what fileSaveHandler (or tfjs-node's file://) wrote in `dir`. */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: Uint8Array[] = [];
        for (const group of manifest) for (const p of group.paths) buffers.push(await readFile(join(dir, p)));
        const total = buffers.reduce((n, b) => n + b.length, 0);
        const joined = new Uint8Array(total);
        let offset = 0;
        for (const b of buffers) { joined.set(b, offset); offset += b.length; }
        return [tf.io.getWeightSpecs(manifest), joined.buffer];
      });
    },
  };
}

export const METRICS_FILE = 'metrics.jsonl';

/**
 * Appends one iteration's metrics as one JSON line to dir/metrics.jsonl (with `extra` fields, e.g.
 * the run's id) and flushes it to disk. The line goes in one write at the end of the file; if the
 * write fails (a full disk), the file is cut back to its previous length, so it never keeps a
 * partial line that this process could see. A crash in the middle of the write can still leave one
 * (the reader reports it as a torn tail).
 */
export async function appendMetrics(dir: string, metrics: IterationMetrics, extra: Record<string, unknown> = {}): Promise<void> {
  const path = join(dir, METRICS_FILE);
  const handle = await onFile(path, 'open', () => open(path, 'a'));
  try {
    const before = (await handle.stat()).size;
    try {
      await handle.write(`${JSON.stringify({ ...metrics, ...extra })}\n`);
      await handle.datasync();
    } catch (err) {
      await handle.truncate(before).catch(() => undefined);
      throw err;
    }
  } catch (err) {
    throw FileError.from(err, path, 'append to');
  } finally {
    await handle.close();
  }
}

export interface MetricsFile {
  /** The complete lines, parsed (fields other than metrics, e.g. `run`, removed). */
  lines: IterationMetrics[];
  /** The `run` field of each line (undefined where absent). */
  runIds: (string | undefined)[];
  /** Bytes of the complete lines; the file's length beyond it is a torn tail. */
  completeBytes: number;
  totalBytes: number;
}

/**
 * dir/metrics.jsonl, line by line ({lines: []} when there is no file). The text after the last
 * newline (a crash in the middle of an append) is not a line: it is counted in totalBytes only.
 * A complete line that is not a JSON object throws an Error naming the line.
 */
export async function readMetricsFile(dir: string): Promise<MetricsFile> {
  const path = join(dir, METRICS_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], runIds: [], completeBytes: 0, totalBytes: 0 };
    throw FileError.from(err, path, 'read');
  }
  const completeBytes = bytes.lastIndexOf(0x0a) + 1;
  const text = bytes.subarray(0, completeBytes).toString('utf8');
  const lines: IterationMetrics[] = [];
  const runIds: (string | undefined)[] = [];
  text.split('\n').slice(0, -1).forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${path}: line ${i + 1} is not JSON`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: line ${i + 1} is not a JSON object`);
    const { run, ...metrics } = value as Record<string, unknown>;
    lines.push(metrics as IterationMetrics);
    runIds.push(typeof run === 'string' ? run : undefined);
  });
  return { lines, runIds, completeBytes, totalBytes: bytes.length };
}

/** The metrics lines of dir/metrics.jsonl ([] when there is no file; a torn last line is dropped). */
export async function readMetrics(dir: string): Promise<IterationMetrics[]> {
  return (await readMetricsFile(dir)).lines;
}

/** Replaces dir/metrics.jsonl with these lines, atomically (used to cut it back to a checkpoint). */
export async function writeMetrics(dir: string, metrics: readonly IterationMetrics[], extra: Record<string, unknown> = {}): Promise<void> {
  await writeFileAtomic(join(dir, METRICS_FILE), metrics.map((m) => `${JSON.stringify({ ...m, ...extra })}\n`).join(''));
}
