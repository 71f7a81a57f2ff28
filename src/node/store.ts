// Files of a training run (Node only): atomic writes, the policy as a tfjs LayersModel directory,
// metrics.jsonl. A crash at any moment leaves every file either as it was or complete.
import { open, readFile, rename, unlink, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../core/backend';
import { fnv1a64 } from '../train/checkpoint';
import type { IterationMetrics } from '../train/types';

/**
 * Writes to `path.tmp-<pid>-<random>`, flushes it to disk, then renames it over `path` (atomic on
 * POSIX file systems): readers see the old file or the new one, never a half-written one.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } catch (err) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
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
 * complete weights that match it, whenever a crash happens.
 */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('fileSaveHandler: binary topologies are not supported');
      await mkdir(dir, { recursive: true });
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
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
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

/** Appends one iteration's metrics as one JSON line to dir/metrics.jsonl. */
export async function appendMetrics(dir: string, metrics: IterationMetrics): Promise<void> {
  const handle = await open(join(dir, METRICS_FILE), 'a');
  try {
    await handle.appendFile(`${JSON.stringify(metrics)}\n`);
  } finally {
    await handle.close();
  }
}

/**
 * The metrics lines of dir/metrics.jsonl ([] when there is no file). A last line without its
 * newline (a crash in the middle of an append) is dropped; any other unreadable line throws.
 */
export async function readMetrics(dir: string): Promise<IterationMetrics[]> {
  let text: string;
  try {
    text = await readFile(join(dir, METRICS_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline: '' or an incomplete line
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as IterationMetrics;
    } catch {
      throw new Error(`${join(dir, METRICS_FILE)}: line ${i + 1} is not JSON`);
    }
  });
}

/** Replaces dir/metrics.jsonl with these lines, atomically (used to cut it back to a checkpoint). */
export async function writeMetrics(dir: string, metrics: readonly IterationMetrics[]): Promise<void> {
  await writeFileAtomic(join(dir, METRICS_FILE), metrics.map((m) => `${JSON.stringify(m)}\n`).join(''));
}
