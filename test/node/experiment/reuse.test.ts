// `dmaml experiment --reuse DIR`, as a user extends a finished grid: grid A (an outer-lr sweep on a
// tuning seed, 2 reported seeds) run, then B = A plus a seed with --reuse A. Both phases take their
// cells from A (the reported cells only known once the tuning has settled); B's shared cells are A's files (hard-linked: the same inodes,
// metrics.jsonl copied), only the new seed trains, and B's whole directory equals a straight run of
// B (timing aside). A cell whose resolved config differs (more iterations; another inner lr) is not
// taken, A is byte-for-byte unchanged by all of it, and a bad --reuse is one line naming it. On a
// queue the coordinator takes the cells before it enqueues: only the new seed reaches a worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experimentContent, jsonLines } from './content';
import { freePort, startRedisServer } from './redis';
import { BIN, dmaml as dmamlProcess, snapshot, assertOneLineError, type Run } from '../helpers';

const GRID = {
  envs: ['CartPole-v1'],
  algos: ['fomaml'],
  seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 2 },
  heldout: { every: 1, tasks: 2, seed: 7, steps: 1, episodes: 2 },
  controls: { outerLrSweep: { rates: [0.001, 0.03], seeds: [9], widen: 0 } },
};
/** The name of the cell of `seed` in an experiment directory (a reported cell's name carries its picked outer lr). */
async function cellOf(out: string, seed: number): Promise<string> {
  const name = (await readdir(join(out, 'cells'))).find((n) => n.endsWith(`.seed${seed}`));
  assert.ok(name, `a cell of seed ${seed} in ${out}`);
  return name;
}

let root: string, gridPath: string, a: string, aBefore: Record<string, string> | null;
/** B (A plus seed 3) run straight, without --reuse: what every B must equal. */
let straightB: Record<string, unknown>;
const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 300 });
const experiment = async (args: string[]): Promise<Run> => {
  const r = await dmaml(['experiment', '--grid', gridPath, '--jobs', '1', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r;
};
/** The runner's survey line of a phase ('tuning ' or the reported cells ''): `N cells: C complete, R to resume, S to start`. */
const survey = (r: Run, phase = '') => new RegExp(`^dmaml experiment: ${phase}(\\d+ cells: \\d+ complete, \\d+ to resume, \\d+ to start)`, 'm').exec(r.stderr)?.[1];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-reuse-'));
  gridPath = join(root, 'grid.json');
  await writeFile(gridPath, JSON.stringify(GRID));
  a = join(root, 'a');
  await experiment(['--out', a]);
  aBefore = await snapshot(a);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

test('B = A plus a seed, --reuse A: the shared cells are A\'s files, only the new seed trains, and B equals a straight run of B', async () => {
  const b = join(root, 'b'), straight = join(root, 'straight');
  const r = await experiment(['--seeds', '1,2,3', '--out', b, '--reuse', a]);
  assert.match(r.stderr, new RegExp(`^dmaml experiment: tuning reused 2 cells from ${a}$`, 'm'));
  assert.match(r.stderr, new RegExp(`^dmaml experiment: reused 2 cells from ${a}$`, 'm'));
  assert.equal(survey(r, 'tuning '), '2 cells: 2 complete, 0 to resume, 0 to start', 'no tuning cell trains');
  assert.equal(survey(r), '3 cells: 2 complete, 0 to resume, 1 to start', 'only the new seed trains');
  const shared = (await readdir(join(a, 'cells'))).sort();
  assert.equal(shared.length, 4, 'A: 2 tuning cells, 2 reported');
  for (const name of shared) {
    const from = join(a, 'cells', name), to = join(b, 'cells', name);
    assert.deepEqual(await snapshot(to), await snapshot(from), `${name}: the same files, the same bytes`);
    for (const file of (await readdir(from, { recursive: true })).map(String)) {
      const [s, t] = [await stat(join(from, file)), await stat(join(to, file))];
      if (s.isDirectory()) continue;
      if (file === 'metrics.jsonl') {
        // Appended and cut in place by training: a copy, so neither directory can change the other's.
        assert.ok(s.ino !== t.ino && s.nlink === 1, `${name}/${file} is copied`);
      } else {
        assert.ok(s.ino === t.ino && s.nlink === 2, `${name}/${file} is hard-linked (inode ${s.ino}/${t.ino}, ${s.nlink} links)`);
      }
    }
  }
  // The new seed's cell was trained here: its files are its own.
  assert.equal((await stat(join(b, 'cells', await cellOf(b, 3), 'state.json'))).nlink, 1);

  await experiment(['--seeds', '1,2,3', '--out', straight]);
  straightB = await experimentContent(straight);
  assert.deepEqual(await experimentContent(b), straightB, 'B with reuse equals B run straight (timing aside)');

  // The same command again resumes B: nothing more to take or train.
  const again = await experiment(['--seeds', '1,2,3', '--out', b, '--reuse', a]);
  assert.match(again.stderr, /^dmaml experiment: tuning reused 0 cells from /m);
  assert.match(again.stderr, /^dmaml experiment: reused 0 cells from /m);
  assert.equal(survey(again, 'tuning '), '2 cells: 2 complete, 0 to resume, 0 to start');
  assert.equal(survey(again), '3 cells: 3 complete, 0 to resume, 0 to start');

  // What a crash can leave: a half-assembled cell under its temporary name (removed), and a cell of
  // B found incomplete (its held-out records gone), which A's complete one replaces.
  const seed1 = await cellOf(b, 1);
  const litter = join(b, 'cells', `${seed1}.tmp-999999-abcd1234`);
  await mkdir(join(litter, 'policy'), { recursive: true });
  await rm(join(b, 'cells', seed1, 'heldout.jsonl'));
  const repaired = await experiment(['--seeds', '1,2,3', '--out', b, '--reuse', a]);
  assert.match(repaired.stderr, /^dmaml experiment: reused 1 cells from /m);
  assert.equal(survey(repaired), '3 cells: 3 complete, 0 to resume, 0 to start');
  assert.ok(!existsSync(litter), 'the temporary sibling a crash left is gone');
  assert.deepEqual((await readdir(join(b, 'cells'))).sort(), (await readdir(join(straight, 'cells'))).sort());
  assert.deepEqual(await experimentContent(b), straightB);
  assert.deepEqual(await snapshot(a), aBefore, 'A is unchanged');
});

test('a cell whose resolved config differs is not reused: more iterations, another inner lr — trained anew', async () => {
  const cases: Array<[string, string[], number]> = [['longer', ['--iterations', '3'], 3], ['other-lr', ['--inner-lr', '0.05'], 2]];
  for (const [name, flags, iterations] of cases) {
    const out = join(root, name);
    const r = await experiment(['--seeds', '1', ...flags, '--out', out, '--reuse', a]);
    assert.match(r.stderr, /^dmaml experiment: tuning reused 0 cells from /m, name);
    assert.match(r.stderr, /^dmaml experiment: reused 0 cells from /m, name);
    assert.equal(survey(r, 'tuning '), '2 cells: 0 complete, 0 to resume, 2 to start', name);
    assert.equal(survey(r), '1 cells: 0 complete, 0 to resume, 1 to start', name);
    const dir = join(out, 'cells', await cellOf(out, 1));
    assert.equal((await jsonLines(join(dir, 'metrics.jsonl'))).length, iterations, name);
    assert.notEqual((await stat(join(dir, 'state.json'))).ino, (await stat(join(a, 'cells', await cellOf(a, 1), 'state.json'))).ino, `${name}: trained, not linked`);
  }
  assert.deepEqual(await snapshot(a), aBefore, 'A is unchanged');
});

test('bad --reuse values are one line naming --reuse; nothing is written', async () => {
  const out = join(root, 'never');
  const file = join(root, 'grid.json');
  const run = join(a, 'cells', await cellOf(a, 1)); // a train run: no experiment.json
  const damaged = join(root, 'damaged');
  await mkdir(damaged);
  await writeFile(join(damaged, 'experiment.json'), '{"format": "something else"}');
  const link = join(root, 'a-link');
  await symlink(a, link);
  const allowed = 'allowed: the directory of an earlier dmaml experiment \\(holding its experiment\\.json\\), other than --out';
  const cases: Array<[string[], RegExp]> = [
    [['--out', out, '--reuse', join(root, 'missing')], new RegExp(`^dmaml: --reuse: got ".*missing"; ${allowed} \\(there is no such directory\\)$`)],
    [['--out', out, '--reuse', file], new RegExp(`^dmaml: --reuse: got ".*grid\\.json"; ${allowed} \\(this is a file\\)$`)],
    [['--out', out, '--reuse', run], new RegExp(`^dmaml: --reuse: got ".*seed1"; ${allowed} \\(it holds no experiment\\.json\\)$`)],
    [['--out', out, '--reuse', damaged], new RegExp(`^dmaml: --reuse: got ".*damaged"; ${allowed} \\(its experiment\\.json is not the record dmaml experiment writes\\)$`)],
    [['--out', a, '--reuse', `${a}/./`], new RegExp(`^dmaml: --reuse: got ".*a/\\./"; ${allowed} \\(it is --out itself; `)],
    [['--out', link, '--reuse', a], new RegExp(`^dmaml: --reuse: got ".*a"; ${allowed} \\(it is --out itself; `)],
  ];
  for (const [args, pattern] of cases) assertOneLineError(await dmaml(['experiment', '--grid', gridPath, ...args]), pattern, args.join(' '));
  assert.ok(!existsSync(out), 'no experiment directory was made');
  assert.deepEqual(await snapshot(a), aBefore, 'A is unchanged');
});

test('--queue: the coordinator takes the cells before it enqueues; only the new seed reaches the worker, and B equals the straight run', async () => {
  assert.ok(straightB, 'the first test ran B straight');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = await startRedisServer(port, root);
  const tmp = join(root, 'worker-tmp');
  await mkdir(tmp);
  const worker = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--jobs', '1'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  let log = '';
  worker.stderr!.on('data', (d) => { log += d; });
  const workerDone = new Promise((r) => worker.on('close', r));
  try {
    const out = join(root, 'queued');
    const r = await experiment(['--seeds', '1,2,3', '--out', out, '--reuse', a, '--queue', url]);
    assert.match(r.stderr, /^dmaml experiment: tuning reused 2 cells from /m);
    assert.match(r.stderr, /^dmaml experiment: reused 2 cells from /m);
    const started = [...log.matchAll(/^dmaml worker: cell (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(started, [await cellOf(out, 3)], `the worker ran the new seed's cell alone; its log:\n${log}`);
    assert.deepEqual(await experimentContent(out), straightB, 'B on a queue with reuse equals B run straight (timing aside)');
    assert.deepEqual(await snapshot(a), aBefore, 'A is unchanged');
  } finally {
    process.kill(-worker.pid!, 'SIGINT');
    await workerDone;
    redis.kill('SIGKILL');
  }
});
