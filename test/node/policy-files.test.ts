// Policies on disk in Node: with 'directed-maml/node' imported, dm.loadPolicy reads a directory, its
// model.json, or a file:// URL of either (bit-identical parameters, the file's metadata kept, so
// loadPolicy → taskFamily → adaptPolicy needs no retyping), and dm.exportPolicy writes to a file://
// URL. A model.json is data, never a path or an allocation of its author's choosing: weight paths
// leaving the directory ('../', absolute, a symlink out), a device, a FIFO or a weight file of the
// wrong size are refused — before any weight byte is read — as one ConfigError naming the entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile, cp, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as dm from 'directed-maml';
import 'directed-maml/node';

let root: string;
let saved: string; // a policy directory written by dm.exportPolicy through a file:// URL
let original: dm.Policy;
const META = { env: 'CartPole-v1', ranges: { halfLength: [0.3, 0.6] }, algo: 'directed-maml', innerLr: 0.05, maxSteps: 60, iterations: 2 };

before(async () => {
  await dm.init();
  root = await mkdtemp(join(tmpdir(), 'dm-policy-files-'));
  original = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed: 3 });
  const flat = original.getFlat();
  original.setFlat(flat.map((x, i) => x + 0.01 * ((i % 7) - 3)));
  saved = join(root, 'policy');
  await dm.exportPolicy(original, pathToFileURL(saved).href, { metadata: { [dm.POLICY_METADATA_KEY]: META } });
});
after(async () => {
  original.dispose();
  await rm(root, { recursive: true, force: true });
});

const sameBits = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test('a directory, its model.json, a relative path and file:// URLs load the same policy bit for bit, with its metadata', async () => {
  const rel = join('.', saved.slice(process.cwd().length + 1));
  const sources = [saved, join(saved, 'model.json'), pathToFileURL(saved).href, pathToFileURL(join(saved, 'model.json')).href,
    ...(saved.startsWith(process.cwd()) ? [rel] : [])];
  for (const source of sources) {
    const loaded = await dm.loadPolicy(source);
    assert.ok(sameBits(loaded.getFlat(), original.getFlat()), `${source}: parameters bit-identical`);
    assert.deepEqual(loaded.metadata, META, `${source}: metadata`);
    loaded.dispose();
  }
});

test('loadPolicy → taskFamily(policy) → adaptPolicy: the trained ranges, α and maxSteps come from the file', async () => {
  const policy = await dm.loadPolicy(saved);
  const family = dm.taskFamily(policy);
  assert.equal(String(family), 'CartPole-v1 (halfLength ∈ [0.3, 0.6])', 'ranges as typed, not float32 noise');
  const task = family.task({ halfLength: 0.5 });
  const { policy: adapted, returns } = await dm.adaptPolicy(policy, family, task, { steps: 1, episodes: 2, seed: 1 });
  // The same call with the saved values typed out gives the same result: they were the defaults.
  const { policy: typed, returns: typedReturns } = await dm.adaptPolicy(policy, family, task, { steps: 1, episodes: 2, seed: 1, innerLr: 0.05, maxSteps: 60 });
  assert.deepEqual(returns, typedReturns);
  assert.ok(sameBits(adapted.getFlat(), typed.getFlat()));
  const { returns: otherLr } = await dm.adaptPolicy(policy, family, task, { steps: 1, episodes: 2, seed: 1, innerLr: 0.1, maxSteps: 60 });
  assert.ok(returns.length === 2 && otherLr[1] !== undefined);
  for (const p of [policy, adapted, typed]) p.dispose();
});

/** A copy of the saved policy whose model.json is edited by `edit`. */
async function hostile(name: string, edit: (json: { weightsManifest: { paths: string[]; weights: unknown[] }[] }) => void): Promise<string> {
  const dir = join(root, name);
  await cp(saved, dir, { recursive: true });
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  edit(json);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

async function refused(source: string, field: RegExp, value?: RegExp): Promise<void> {
  await assert.rejects(dm.loadPolicy(source), (err: unknown) => {
    assert.ok(err instanceof dm.ConfigError, `a ConfigError, got ${err}`);
    assert.match(err.field, field);
    assert.equal(err.message.split('\n').length, 1, 'one line');
    if (value) assert.match(err.message, value);
    return true;
  });
}

test("weight paths outside the policy's directory are refused: ../, absolute, /dev/zero, a symlink out", async () => {
  await refused(await hostile('dotdot', (j) => { j.weightsManifest[0]!.paths = ['../../../../etc/passwd']; }), /^model\.weightsManifest\[0\]\.paths\[0\]$/, /etc\/passwd/);
  await refused(await hostile('absolute', (j) => { j.weightsManifest[0]!.paths = ['/dev/zero']; }), /^model\.weightsManifest\[0\]\.paths\[0\]$/, /dev\/zero/);
  await refused(await hostile('dotdot-zero', (j) => { j.weightsManifest[0]!.paths = ['../../../../../../dev/zero']; }), /^model\.weightsManifest\[0\]\.paths\[0\]$/);
  await refused(await hostile('url', (j) => { j.weightsManifest[0]!.paths = ['file:///etc/passwd']; }), /^model\.weightsManifest\[0\]\.paths\[0\]$/);
  const linked = await hostile('symlink', (j) => { j.weightsManifest[0]!.paths = ['w.bin']; });
  await symlink('/etc/passwd', join(linked, 'w.bin'));
  await refused(linked, /^model\.weightsManifest\.paths$/, /links outside/);
});

test('a device, a FIFO or a model.json that is not a regular file is refused without reading it', async () => {
  // A FIFO without a writer blocks any read forever: this test ends only if it is never read.
  const fifo = await hostile('fifo', (j) => { j.weightsManifest[0]!.paths = ['w.bin']; });
  execFileSync('mkfifo', [join(fifo, 'w.bin')]);
  await refused(fifo, /^model\.weightsManifest\.paths$/, /regular file/);
  const zeroJson = join(root, 'zero-json');
  await cp(saved, zeroJson, { recursive: true });
  await rm(join(zeroJson, 'model.json'));
  await symlink('/dev/zero', join(zeroJson, 'model.json'));
  await refused(zeroJson, /^model\.json$/, /regular file/);
  const fifoJson = join(root, 'fifo-json');
  await cp(saved, fifoJson, { recursive: true });
  await rm(join(fifoJson, 'model.json'));
  execFileSync('mkfifo', [join(fifoJson, 'model.json')]);
  await refused(fifoJson, /^model\.json$/, /regular file/);
});

test('weight files shorter or longer than the manifest declares, and string dtypes, are refused before reading', async () => {
  const short = await hostile('short', () => undefined);
  const bin = JSON.parse(await readFile(join(short, 'model.json'), 'utf8')).weightsManifest[0].paths[0];
  await truncate(join(short, bin), 12);
  await refused(short, /^model\.weightsManifest$/, /12 bytes/);
  const long = await hostile('long', () => undefined);
  await writeFile(join(long, bin), Buffer.alloc(1 << 20));
  await refused(long, /^model\.weightsManifest$/);
  await refused(await hostile('string', (j) => { (j.weightsManifest[0]!.weights[0] as { dtype: string }).dtype = 'string'; }), /^model\.weights\.hidden_1\/kernel\.dtype$/);
  await refused(await hostile('negative', (j) => { (j.weightsManifest[0]!.weights[0] as { shape: number[] }).shape = [-4, 8]; }), /^model\.weights\.hidden_1\/kernel\.shape$/);
});
