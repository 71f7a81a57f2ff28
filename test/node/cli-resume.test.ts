// `dmaml train --resume`: 2 iterations, then a resume to 4, give the metrics, state and policy
// of a straight 4-iteration run (timing fields aside) — through the files a user keeps. The three
// runs use different worker counts (the default, in process, a pool of 2): results do not depend on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'bin', 'dmaml.js');
const CONFIG = ['--algo', 'directed-meta-sgd', '--meta-batch', '2', '--episodes', '3', '--max-steps', '60', '--hidden', '8', '--seed', '4'];
const TIMING = ['sampleSeconds', 'gradSeconds', 'seconds'];

const dmaml = (args: string[]) => execFileSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

async function metrics(dir: string): Promise<Record<string, number>[]> {
  const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
  return lines.map((line) => {
    const m = JSON.parse(line);
    for (const f of TIMING) delete m[f];
    return m;
  });
}

async function weights(dir: string): Promise<Buffer> {
  const files = await readdir(join(dir, 'policy'));
  const bin = files.find((f) => f.endsWith('.bin'))!;
  return readFile(join(dir, 'policy', bin));
}

test('a resumed CLI run equals an uninterrupted one', async () => {
  const root = await mkdtemp(join(tmpdir(), 'dmaml-resume-'));
  try {
    const straight = join(root, 'straight'), resumed = join(root, 'resumed');
    dmaml(['train', ...CONFIG, '--iterations', '4', '--out', straight]); // default: one worker per core
    dmaml(['train', ...CONFIG, '--iterations', '2', '--out', resumed, '--workers', '1']);
    assert.equal((await metrics(resumed)).length, 2);
    dmaml(['train', '--resume', resumed, '--iterations', '4', '--workers', '2']);
    const expected = await metrics(straight);
    assert.equal(expected.length, 4);
    assert.deepEqual(await metrics(resumed), expected);
    assert.ok((await weights(resumed)).equals(await weights(straight)), 'policy weights are identical');
    const state = (dir: string) => readFile(join(dir, 'state.json'), 'utf8').then((t) => JSON.parse(t));
    const [a, b] = [await state(straight), await state(resumed)];
    assert.deepEqual(a.payload ?? a, b.payload ?? b);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
