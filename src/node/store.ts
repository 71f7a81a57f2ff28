// Files of a training run (Node only): atomic writes, the policy as a tfjs LayersModel directory,
// metrics.jsonl. A crash at any moment leaves every file either as it was or complete, except the
// last line of metrics.jsonl, which is appended (see appendMetrics and src/node/run-survey.ts).
import { open, readFile, rename, unlink, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../core/backend';
import { fnv1a64 } from '../train/checkpoint';
import { ConfigError, cutText, escapeControl } from '../errors';
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
export function fileSaveHandler(target: string, metadata?: Record<string, unknown>): tf.io.IOHandler {
  const dir = filePath(target);
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

/** A file path from a path or a file:// URL. */
export function filePath(pathOrUrl: string): string {
  if (!/^file:\/\//i.test(pathOrUrl)) return pathOrUrl;
  try {
    return fileURLToPath(pathOrUrl);
  } catch (err) {
    throw new ConfigError('source', pathOrUrl, `a file:// URL of this machine (${(err as Error).message})`);
  }
}

/** Largest model.json read (a policy's topology and metadata, Meta-SGD's rates included, are far smaller). */
export const MAX_MODEL_JSON_BYTES = 256 * 2 ** 20;

/** Whether `path` is not strictly inside directory `dir` (both absolute). */
function outside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** Bytes per element of a weight as stored (quantized weights: their quantized dtype). */
const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * The bytes a weights manifest declares, checked as data: every path a plain relative file name
 * inside the model's directory, every shape a list of integers >= 0, every dtype one with a fixed
 * size. Throws a ConfigError naming the entry.
 */
function declaredWeightBytes(manifest: unknown, dir: string): { paths: string[]; bytes: number } {
  if (!Array.isArray(manifest)) throw new ConfigError('model.weightsManifest', manifest, 'a list of { paths, weights } groups');
  const paths: string[] = [];
  let bytes = 0;
  manifest.forEach((group: unknown, g) => {
    const at = `model.weightsManifest[${g}]`;
    if (group === null || typeof group !== 'object') throw new ConfigError(at, group, '{ paths, weights }');
    const { paths: ps, weights } = group as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(ps) || !Array.isArray(weights)) throw new ConfigError(at, group, '{ paths: [file names], weights: [specs] }');
    ps.forEach((p: unknown, i) => {
      // Data, never a path of the caller's choosing: a name under the model's directory.
      const inside = typeof p === 'string' && p !== '' && !p.includes('\0') && !isAbsolute(p) && !/^[a-z][a-z0-9+.-]*:/i.test(p)
        && outside(dir, resolve(dir, p)) === false;
      if (!inside) throw new ConfigError(`${at}.paths[${i}]`, p, "a weight file name inside the model's directory (no '..', no absolute path)");
      paths.push(p as string);
    });
    weights.forEach((w: unknown, i) => {
      const wat = `${at}.weights[${i}]`;
      if (w === null || typeof w !== 'object') throw new ConfigError(wat, w, '{ name, shape, dtype }');
      const { name, shape, dtype, quantization } = w as { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: { dtype?: unknown } };
      const label = typeof name === 'string' ? `model.weights.${name}` : wat;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ConfigError(`${label}.shape`, shape, 'a list of integers >= 0');
      const stored = quantization !== undefined && quantization !== null ? quantization.dtype : dtype;
      const size = typeof stored === 'string' && Object.hasOwn(STORED_BYTES, stored) ? STORED_BYTES[stored]! : undefined;
      if (size === undefined) throw new ConfigError(`${label}.dtype`, stored, Object.keys(STORED_BYTES).join(' | ') + ' (weights of a fixed size)');
      bytes += (shape as number[]).reduce((n, d) => n * d, 1) * size;
    });
  });
  if (!Number.isSafeInteger(bytes)) throw new ConfigError('model.weightsManifest', `${bytes} bytes`, 'weights of a size this machine can hold');
  return { paths, bytes };
}

/** The bytes of a regular file of at most `max` bytes (refused before reading: a device, a FIFO, a larger file). */
async function readRegularFile(path: string, max: number, field: string): Promise<Buffer> {
  // Checked before opening too: opening a FIFO for reading waits for a writer.
  if (!(await onFile(path, 'read', () => stat(path))).isFile()) throw new ConfigError(field, path, 'a regular file (not a device, a FIFO or a directory)');
  const handle = await onFile(path, 'open', () => open(path, 'r'));
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ConfigError(field, path, 'a regular file (not a device, a FIFO or a directory)');
    if (st.size > max) throw new ConfigError(field, `${path} (${st.size} bytes)`, `at most ${max} bytes here`);
    return await onFile(path, 'read', () => handle.readFile());
  } finally {
    await handle.close();
  }
}

/**
 * A tfjs load handler reading what fileSaveHandler (or tfjs-node's file://) wrote: `source` is a
 * directory holding model.json, the model.json itself, or a file:// URL of either. Its contents
 * are data: every weight file must be a plain name inside the model's directory (after symlinks
 * are followed), a regular file, and the files must hold exactly the bytes the manifest declares —
 * all checked before a weight byte is read; anything else is one ConfigError naming the entry.
 */
export function fileLoadHandler(source: string): tf.io.IOHandler {
  const path = filePath(source);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const st = await onFile(path, 'read', () => stat(path));
      const modelPath = st.isDirectory() ? join(path, MODEL_JSON) : path;
      const dir = await onFile(dirname(modelPath), 'read', () => realpath(dirname(modelPath)));
      const text = (await readRegularFile(modelPath, MAX_MODEL_JSON_BYTES, 'model.json')).toString('utf8');
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(text) as tf.io.ModelJSON;
      } catch (err) {
        throw new ConfigError('model.json', modelPath, `a JSON model (${(err as Error).message})`);
      }
      if (modelJson === null || typeof modelJson !== 'object' || Array.isArray(modelJson)) throw new ConfigError('model.json', modelPath, 'a JSON object (a tfjs model)');
      const { paths, bytes } = declaredWeightBytes(modelJson.weightsManifest ?? [], dir);
      // Every file is resolved (symlinks followed) and sized before any is read.
      const files: { real: string; size: number }[] = [];
      for (const p of paths) {
        const real = await onFile(join(dir, p), 'read', () => realpath(join(dir, p)));
        if (outside(dir, real)) throw new ConfigError('model.weightsManifest.paths', p, "a weight file inside the model's directory (this one links outside it)");
        const info = await onFile(real, 'read', () => stat(real));
        if (!info.isFile()) throw new ConfigError('model.weightsManifest.paths', p, 'a regular file (not a device, a FIFO or a directory)');
        files.push({ real, size: info.size });
      }
      const total = files.reduce((n, f) => n + f.size, 0);
      if (total !== bytes) throw new ConfigError('model.weightsManifest', `weight files of ${total} bytes`, `the ${bytes} bytes its weights declare`);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const joined = new Uint8Array(bytes);
        let offset = 0;
        for (const f of files) {
          const b = await readRegularFile(f.real, bytes - offset, 'model.weightsManifest.paths');
          joined.set(b, offset);
          offset += b.length;
        }
        if (offset !== bytes) throw new ConfigError('model.weightsManifest', `weight files of ${offset} bytes`, `the ${bytes} bytes its weights declare`);
        return [tf.io.getWeightSpecs(manifest), joined.buffer];
      });
    },
  };
}

/**
 * Registers tfjs IO routers for file:// URLs (load and save), as tfjs-node does: dm.loadPolicy,
 * dm.exportPolicy and the app's own tf.loadLayersModel / model.save accept 'file:///…/policy'.
 * Called by 'directed-maml/node' on import; idempotent.
 */
let routersRegistered = false;
export function registerFileRouters(): void {
  if (routersRegistered) return;
  routersRegistered = true;
  const isFile = (url: string | string[]): url is string => typeof url === 'string' && /^file:\/\//i.test(url);
  tf.io.registerLoadRouter(((url: string | string[]) => (isFile(url) ? fileLoadHandler(url) : null)) as unknown as Parameters<typeof tf.io.registerLoadRouter>[0]); // tfjs skips a router's null
  tf.io.registerSaveRouter(((url: string | string[]) => (isFile(url) ? fileSaveHandler(filePath(url)) : null)) as unknown as Parameters<typeof tf.io.registerLoadRouter>[0]); // tfjs skips a router's null
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
