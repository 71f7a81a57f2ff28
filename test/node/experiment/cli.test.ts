// The experiment's commands as a user meets them: `dmaml experiment`, `dmaml evaluate` and
// `dmaml worker` read their flags with the CLI's one parser (an unknown flag, a flag given twice, a
// missing value: one line each, exit 2, nothing written), `dmaml evaluate` reads a run as a resume
// does (its files must all be that run's), and one runner at a time per experiment directory: a
// second is refused in one line naming the first and writes nothing; the lock goes on every exit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { BIN, SMALL, dmaml, snapshot, assertOneLineError, waitFor } from '../helpers';

let root: string;
let run: string; // a finished 2-iteration run (seed 5)
let other: string; // another run (seed 6)
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-expcli-'));
  run = join(root, 'run');
  other = join(root, 'other');
  const made = await Promise.all([
    dmaml(['train', '--out', run, '--iterations', '2', ...SMALL, '--seed', '5']),
    dmaml(['train', '--out', other, '--iterations', '2', ...SMALL, '--seed', '6']),
  ]);
  for (const r of made) assert.equal(r.code, 0, r.stderr);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

const LISTS = ['--envs', 'CartPole-v1', '--algos', 'fomaml', '--seeds', '1'];
const schemaAllowed = (name: string): string => dm.CONFIG_FIELDS.find((f) => f.name === name)!.allowed;
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('one flag parser: an unknown flag, a flag given twice, a missing value — one line each for experiment, evaluate and worker; nothing written', async () => {
  const out = join(root, 'never');
  const cases: Array<[string[], RegExp]> = [
    // dmaml experiment
    [['experiment', '--out', out, ...LISTS, '--colour', 'red'], /^dmaml: --colour: got "red"; allowed: a flag of dmaml experiment: --out, --grid, --envs, --algos, --seeds, --jobs, --queue, .*--meta-batch/],
    [['experiment', '--out', out, ...LISTS, '--jobs', '1', '--jobs', '2'], /^dmaml: --jobs: got "--jobs"; allowed: each flag at most once$/],
    [['experiment', ...LISTS, '--out'], /^dmaml: --out: got "\(no value\)"; allowed: a directory path$/],
    [['experiment', '--out', out, ...LISTS, '--jobs', '0'], /^dmaml: --jobs: got "0"; allowed: an integer in \[1, 1024\]$/],
    [['experiment', '--out', out, ...LISTS, '--workers', '2'], /^dmaml: --workers: got "2"; allowed: --jobs \(each cell trains with max\(1, floor\(cores \/ jobs\)\) worker threads/],
    [['experiment', '--out', out, ...LISTS, '--algo', 'maml'], /^dmaml: --algo: got "maml"; allowed: --algos \(a list\) for an experiment$/],
    [['experiment', '--out', out, ...LISTS, '--metaBatch', '2'], /^dmaml: --metaBatch: got "2"; allowed: a flag of dmaml experiment: .*--meta-batch/],
    [['experiment', '--out', out, ...LISTS, '--inner-lr', '-1'], new RegExp(`^dmaml: innerLr: got "-1"; allowed: ${literally(schemaAllowed('innerLr'))}$`)],
    [['experiment', '--out', out, ...LISTS, '--directed-lr', '0.2'], /^dmaml: directedLr: got 0\.2; allowed: nothing: it applies only to a directed-\* algo \(grid\.algos: fomaml\)$/],
    [['experiment', '--out', out, '--envs', 'CartPole-v1,Pong', '--algos', 'fomaml', '--seeds', '1'], /^dmaml: --envs: got "Pong"; allowed: CartPole-v1 \| /],
    // dmaml evaluate
    [['evaluate', '--checkpoint', run, '--colour', 'red'], /^dmaml: --colour: got "red"; allowed: a flag of dmaml evaluate: --checkpoint, --tasks, --task-seed, --steps, --json, --episodes, --max-steps$/],
    [['evaluate', '--checkpoint', run, '--tasks', '1', '--tasks', '2'], /^dmaml: --tasks: got "--tasks"; allowed: each flag at most once$/],
    [['evaluate', '--checkpoint'], /^dmaml: --checkpoint: got "\(no value\)"; allowed: the directory of a run written by dmaml train$/],
    [['evaluate', '--checkpoint', run, '--episodes', '0'], new RegExp(`^dmaml: episodes: got "0"; allowed: ${literally(schemaAllowed('episodes'))}$`)],
    [['evaluate', '--checkpoint', run, '--json=yes'], /^dmaml: --json: got "yes"; allowed: no value \(a switch\)$/],
    // dmaml worker (flags are read before any connection is tried)
    [['worker', '--queue', 'redis://127.0.0.1:1', '--colour', 'red'], /^dmaml: --colour: got "red"; allowed: a flag of dmaml worker: --queue, --jobs, --lock-seconds$/],
    [['worker', '--queue', 'redis://127.0.0.1:1', '--jobs', '1', '--jobs', '2'], /^dmaml: --jobs: got "--jobs"; allowed: each flag at most once$/],
    [['worker', '--jobs', '1', '--queue'], /^dmaml: --queue: got "\(no value\)"; allowed: redis:\/\/HOST:PORT$/],
    [['worker', '--jobs', '1'], /^dmaml: --queue: got "\(missing\)"; allowed: redis:\/\/HOST:PORT of the experiment's queue$/],
  ];
  const before = await snapshot(run);
  for (const [args, pattern] of cases) assertOneLineError(await dmaml(args), pattern, args.join(' '));
  assert.ok(!existsSync(out), 'no experiment directory was made');
  assert.deepEqual(await snapshot(run), before, 'the run evaluated is unchanged');
});

test('--help of experiment, evaluate and worker: usage and every flag with what it allows', async () => {
  const helps: Array<[string, string[]]> = [
    ['experiment', ['Without --grid: --envs, --algos and --seeds are required', '(CartPole-v1 100, Intersection-v0 3, LunarLander-v2 -100)', '--out <dir>', '--jobs <int>', 'allowed: an integer in [1, 1024]', '--seeds <int,…>', 'camelCase', 'but --env, --algo, --seed, --workers']],
    ['evaluate', ['--checkpoint <dir>', '--task-seed <int>', 'allowed: an integer in [0, 4294967295]', `--episodes <int>`, `allowed: ${schemaAllowed('episodes')}`, '--json  ']],
    ['worker', ['--queue <redis://HOST:PORT>', '--lock-seconds <int>', 'allowed: an integer in [2, 3600]']],
  ];
  for (const [command, expected] of helps) {
    const r = await dmaml([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage:\\n  dmaml ${command} `));
    for (const text of expected) assert.ok(r.stdout.includes(text), `${command} --help: ${text}\n${r.stdout}`);
  }
});

test('dmaml evaluate reads the run as a resume does: a state of another run is refused in one line; memory limits are one line', async () => {
  const mixed = join(root, 'mixed');
  await cp(run, mixed, { recursive: true });
  await cp(join(other, 'state.json'), join(mixed, 'state.json'));
  const before = await snapshot(mixed);
  assertOneLineError(await dmaml(['evaluate', '--checkpoint', mixed]),
    /^dmaml: --checkpoint: got ".*mixed\/state\.json"; allowed: the checkpoint of this run \(CartPole-v1, directed-maml, seed 5, config [0-9a-f]{16}\); it belongs to another run \(CartPole-v1, directed-maml, seed 6, /, 'a state of another run');
  assert.deepEqual(await snapshot(mixed), before);
  // Rollouts that cannot fit the WASM memory: refused before anything runs, naming the fields.
  assertOneLineError(await dmaml(['evaluate', '--checkpoint', run, '--episodes', '1000000', '--max-steps', '1000']),
    /^dmaml: episodes × maxSteps: got "1000000 × 1000 = 1000000000 steps"; allowed: maxSteps <= \d+ with the other values as given: a run on CartPole-v1 must fit /, 'held-out rollouts beyond the memory');
  const ok = await dmaml(['evaluate', '--checkpoint', run, '--tasks', '2', '--steps', '1', '--episodes', '2', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const record = JSON.parse(ok.stdout);
  assert.equal(record.iteration, 2);
  assert.equal(record.returns.length, 2);
  assert.deepEqual(record.mean, [0, 1].map((k) => (record.returns[0][k] + record.returns[1][k]) / 2));
});

/** The state letter of /proc/<pid>/stat (R, S, T, Z, …). */
async function procState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

test('one runner per experiment directory: a second is refused in one line naming the first and writes nothing; the lock goes at every exit', async () => {
  const gridPath = join(root, 'lock-grid.json');
  await writeFile(gridPath, JSON.stringify({
    envs: ['CartPole-v1'], algos: ['fomaml'], seeds: [1, 2],
    config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 4 }, heldout: { every: 2, tasks: 2, steps: 1, episodes: 2 },
  }));
  const out = join(root, 'locked');
  const args = ['experiment', '--grid', gridPath, '--out', out, '--jobs', '1'];
  // The first runner, in its own process group (so it and its cells can be paused and signalled together).
  const first = spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let firstErr = '';
  first.stderr!.on('data', (d) => { firstErr += d; });
  const firstDone = new Promise<number | null>((r) => first.on('close', (code) => r(code)));
  try {
    // Once it runs a cell, pause it (and its cells): the directory stays still while the second tries.
    await waitFor(async () => existsSync(join(out, 'run.lock')) && existsSync(join(out, 'cells', 'CartPole-v1.fomaml.seed1', 'run.lock')), 'the first runner running a cell', 120);
    process.kill(-first.pid!, 'SIGSTOP');
    await waitFor(async () => (await procState(first.pid!)) === 'T', 'the first runner stopped');
    const still = await snapshot(out);
    const second = await dmaml(args);
    assertOneLineError(second, new RegExp(`^dmaml: --out: got ".*locked"; allowed: a directory with no other writer \\(it is being written by pid ${first.pid} on ${hostname()} \\(dmaml experiment --grid .*lock-grid\\.json --out .*locked --jobs 1, since [^)]+\\), which holds .*locked/run\\.lock; wait for it to finish or stop it\\)$`), 'a second runner');
    assert.deepEqual(await snapshot(out), still, 'the second runner wrote nothing');
    // Another grid into the same directory is refused too (its own reason, read before the lock).
    assertOneLineError(await dmaml([...args, '--iterations', '5']), /^dmaml: --out: .*records another grid/, 'another grid');
    assert.deepEqual(await snapshot(out), still);

    // Ctrl-C (the whole group): the first stops after the current iterations and releases its lock.
    process.kill(-first.pid!, 'SIGCONT');
    process.kill(-first.pid!, 'SIGINT');
    assert.equal(await firstDone, 130, firstErr);
    assert.match(firstErr, /interrupted; continue with: dmaml experiment --grid /);
    assert.ok(!existsSync(join(out, 'run.lock')), 'released on Ctrl-C');
  } finally {
    if (first.exitCode === null && first.signalCode === null) process.kill(-first.pid!, 'SIGKILL');
  }
  const cellLocks = async () => (await readdir(join(out, 'cells'))).filter((c) => existsSync(join(out, 'cells', c, 'run.lock')));
  assert.deepEqual(await cellLocks(), [], `the cells stopped and released theirs: ${await Promise.all((await cellLocks()).map((c) => readFile(join(out, 'cells', c, 'run.lock'), 'utf8')))}\n${firstErr}`);

  // Run again to the end: released on success.
  const again = await dmaml(args);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(existsSync(join(out, 'results.jsonl')));
  assert.ok(!existsSync(join(out, 'run.lock')), 'released at the end');
  assert.deepEqual(await cellLocks(), []);

  // A failure (a cell's checkpoint damaged): one line, and released too.
  const cell = join(out, 'cells', 'CartPole-v1.fomaml.seed2');
  await writeFile(join(cell, 'state.json'), 'not a checkpoint');
  const broken = await dmaml(args);
  // (after the runner's own progress lines) one line for the failure, no stack trace
  assert.equal(broken.code, 2, broken.stderr);
  assert.match(broken.stderr.trimEnd().split('\n').pop()!, /^dmaml: cell CartPole-v1\.fomaml\.seed2: got ".*state\.json"; allowed: an intact checkpoint written by dmaml train/);
  assert.doesNotMatch(broken.stderr, /^\s+at /m);
  assert.ok(!existsSync(join(out, 'run.lock')), 'released on an error');
});
