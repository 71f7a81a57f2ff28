// `dmaml experiment --reuse DIR`, as a user extends a finished grid: grid A (2 seeds) run, then
// B = A plus a seed with --reuse A. B's shared cells are A's files (hard-linked: the same inodes,
// metrics.jsonl copied), only the new seed trains, and B's whole directory equals a straight run of
// B (timing aside). A cell whose resolved config differs (more iterations; another inner lr) is not
// taken, A is byte-for-byte unchanged by all of it, and a bad --reuse is one line naming it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experimentContent, jsonLines } from './content';
import { dmaml as dmamlProcess, snapshot, assertOneLineError, type Run } from '../helpers';

const GRID = {
  envs: ['CartPole-v1'],
  algos: ['fomaml'],
  seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 2 },
  heldout: { every: 1, tasks: 2, seed: 7, steps: 1, episodes: 2 },
};
const cell = (seed: number) => `CartPole-v1.fomaml.seed${seed}`;

let root: string, gridPath: string, a: string, aBefore: Record<string, string> | null;
const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 300 });
const experiment = async (args: string[]): Promise<Run> => {
  const r = await dmaml(['experiment', '--grid', gridPath, '--jobs', '1', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r;
};
/** The runner's survey line of the main phase: `N cells: C complete, R to resume, S to start`. */
const survey = (r: Run) => /dmaml experiment: (\d+ cells: \d+ complete, \d+ to resume, \d+ to start)/.exec(r.stderr)?.[1];

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
  assert.match(r.stderr, new RegExp(`^dmaml experiment: reused 2 cells from ${a}$`, 'm'));
  assert.equal(survey(r), '3 cells: 2 complete, 0 to resume, 1 to start', 'only the new seed trains');
  for (const seed of [1, 2]) {
    const from = join(a, 'cells', cell(seed)), to = join(b, 'cells', cell(seed));
    assert.deepEqual(await snapshot(to), await snapshot(from), `${cell(seed)}: the same files, the same bytes`);
    for (const file of (await readdir(from, { recursive: true })).map(String)) {
      const [s, t] = [await stat(join(from, file)), await stat(join(to, file))];
      if (s.isDirectory()) continue;
      if (file === 'metrics.jsonl') {
        // Appended and cut in place by training: a copy, so neither directory can change the other's.
        assert.ok(s.ino !== t.ino && s.nlink === 1, `${cell(seed)}/${file} is copied`);
      } else {
        assert.ok(s.ino === t.ino && s.nlink === 2, `${cell(seed)}/${file} is hard-linked (inode ${s.ino}/${t.ino}, ${s.nlink} links)`);
      }
    }
  }
  // The new seed's cell was trained here: its files are its own.
  assert.equal((await stat(join(b, 'cells', cell(3), 'state.json'))).nlink, 1);

  await experiment(['--seeds', '1,2,3', '--out', straight]);
  assert.deepEqual(await experimentContent(b), await experimentContent(straight), 'B with reuse equals B run straight (timing aside)');

  // The same command again resumes B: nothing more to take or train.
  const again = await experiment(['--seeds', '1,2,3', '--out', b, '--reuse', a]);
  assert.match(again.stderr, /^dmaml experiment: reused 0 cells from /m);
  assert.equal(survey(again), '3 cells: 3 complete, 0 to resume, 0 to start');
  assert.deepEqual(await snapshot(a), aBefore, 'A is unchanged');
});

test('a cell whose resolved config differs is not reused: more iterations, another inner lr — trained anew', async () => {
  const cases: Array<[string, string[], number]> = [['longer', ['--iterations', '3'], 3], ['other-lr', ['--inner-lr', '0.05'], 2]];
  for (const [name, flags, iterations] of cases) {
    const out = join(root, name);
    const r = await experiment(['--seeds', '1', ...flags, '--out', out, '--reuse', a]);
    assert.match(r.stderr, /^dmaml experiment: reused 0 cells from /m, name);
    assert.equal(survey(r), '1 cells: 0 complete, 0 to resume, 1 to start', name);
    const dir = join(out, 'cells', cell(1));
    assert.equal((await jsonLines(join(dir, 'metrics.jsonl'))).length, iterations, name);
    assert.notEqual((await stat(join(dir, 'state.json'))).ino, (await stat(join(a, 'cells', cell(1), 'state.json'))).ino, `${name}: trained, not linked`);
  }
  assert.deepEqual(await snapshot(a), aBefore, 'A is unchanged');
});

test('bad --reuse values are one line naming --reuse; nothing is written', async () => {
  const out = join(root, 'never');
  const file = join(root, 'grid.json');
  const run = join(root, 'a', 'cells', cell(1)); // a train run: no experiment.json
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
