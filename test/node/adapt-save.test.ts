// `dmaml adapt --save OUT`: the adapted policy written as a tfjs LayersModel equals, bit for bit,
// dm.adaptPolicy run through the API on the same checkpoint, task and options; its metadata says
// what it is; a second save replaces the first; a run directory or the run's own policy/ is refused
// (exit 2, one line) and left byte for byte as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { acquireRunLock, fileLoadHandler, readStateFile } from 'directed-maml/node';
import { dmaml as dmamlProcess } from './helpers';

const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 120 });

async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    if ((await stat(path)).isFile()) out[entry] = (await readFile(path)).toString('base64');
  }
  return out;
}

let root: string;
let runDir: string;
before(async () => {
  await dm.init();
  root = await mkdtemp(join(tmpdir(), 'dmaml-adapt-save-'));
  runDir = join(root, 'run');
  const r = await dmaml(['train', '--out', runDir, '--iterations', '2', '--meta-batch', '2', '--episodes', '2', '--max-steps', '40', '--hidden', '8', '--seed', '5']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

test('--save writes the adapted policy: equal to dm.adaptPolicy through the API, with its metadata; a second save replaces it', async () => {
  const out = join(root, 'adapted');
  const args = ['adapt', '--checkpoint', runDir, '--task', 'halfLength=0.7', '--steps', '2', '--episodes', '3', '--seed', '11', '--save', out, '--json'];
  const r = await dmaml(args);
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  assert.equal(printed.saved, join(out, 'model.json'));

  // The same adaptation through the API.
  const state = await readStateFile(runDir, '--checkpoint');
  assert.ok(state, 'the run has a checkpoint');
  const family = dm.taskFamily(state.config.env, state.config.ranges);
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: state.config.hidden, activation: state.config.activation });
  policy.setFlat(state.theta);
  const { policy: expected, returns } = await dm.adaptPolicy(policy, family, family.task({ halfLength: 0.7 }), {
    steps: 2, episodes: 3, seed: 11, innerLr: state.config.innerLr, maxSteps: state.config.maxSteps });
  assert.deepEqual(printed.returns, returns);
  const saved = await dm.loadPolicy(fileLoadHandler(out));
  assert.deepEqual(saved.getFlat(), expected.getFlat(), 'saved weights equal the API-adapted policy bit for bit');
  assert.notDeepEqual(saved.getFlat(), state.theta, 'and differ from the meta-policy');

  const meta = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).userDefinedMetadata[dm.POLICY_METADATA_KEY] as dm.PolicyMetadata;
  assert.equal(meta.env, 'CartPole-v1');
  assert.equal(meta.iterations, 2);
  assert.equal(meta.innerLr, state.config.innerLr);
  assert.deepEqual(meta.adapted, { task: printed.task, steps: 2, episodes: 3, seed: 11, returns });

  // Again with another seed: model.json and one weights file, for the new policy.
  const again = await dmaml([...args.slice(0, -5), '--seed', '12', '--save', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /adapted policy: .*adapted\/model\.json/);
  const names = (await readdir(out)).sort();
  assert.equal(names.length, 2, names.join(', '));
  assert.ok(names.includes('model.json') && /^weights-[0-9a-f]{16}\.bin$/.test(names[1]));
  const replaced = await dm.loadPolicy(fileLoadHandler(out));
  assert.notDeepEqual(replaced.getFlat(), saved.getFlat());
  for (const p of [policy, expected, saved, replaced]) p.dispose();
});

test('--save refuses a run directory, the run\'s own policy/, a file and no value; nothing is written', async () => {
  const file = join(root, 'a-file');
  await writeFile(file, 'keep me');
  const userDir = join(root, 'mine');
  await mkdir(userDir);
  await writeFile(join(userDir, 'notes.txt'), 'mine');
  const before = await files(runDir);
  const cases: Array<[string[], RegExp]> = [
    [['--save', runDir], /--save: got ".*run"; allowed: .*it holds a training run/],
    [['--save', join(runDir, 'policy')], /--save: got ".*run\/policy"; allowed: a directory for the adapted policy/],
    [['--save', file], /--save: got ".*a-file"; allowed: .*this path is a file/],
    [['--save', userDir], /--save: got ".*mine"; allowed: .*it holds notes\.txt/],
    [['--save'], /--save: got "\(no value\)"; allowed: a directory path/],
  ];
  for (const [extra, pattern] of cases) {
    const r = await dmaml(['adapt', '--checkpoint', runDir, '--steps', '1', '--episodes', '2', ...extra]);
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(await files(runDir), before);
  assert.equal(await readFile(file, 'utf8'), 'keep me');
  assert.deepEqual(await readdir(userDir), ['notes.txt']);
});

test('--save takes the directory\'s lock: a live holder refuses the save in one line and nothing is written', async () => {
  const out = join(root, 'locked');
  await mkdir(out);
  // A lock held by this (live) test process, taken the way every writer takes it.
  const lock = await acquireRunLock(out, { command: 'test holder' });
  try {
    const r = await dmaml(['adapt', '--checkpoint', runDir, '--steps', '1', '--episodes', '2', '--save', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`pid ${process.pid}`));
    assert.deepEqual(await readdir(out), ['run.lock']);
  } finally {
    lock.release();
  }
  const ok = await dmaml(['adapt', '--checkpoint', runDir, '--steps', '1', '--episodes', '2', '--save', out]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual((await readdir(out)).filter((n) => !n.startsWith('weights-')), ['model.json'], 'the lock is released after the save');
});
