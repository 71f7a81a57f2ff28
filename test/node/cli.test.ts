// The CLI as a user runs it (node bin/dmaml.js, a child process): every bad input exits 2 with ONE
// line on stderr naming the field and what is allowed, writes nothing, and leaves the files already
// there byte-for-byte as they were. (The train/resume equality test is test/node/cli-resume; the run
// directory's lock, identity and file-system failures are test/node/run-dir; each value rule of the
// schema is tested in test/config.test.ts — here one case per kind of input.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, writeFile, rm, appendFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { SMALL, dmaml, snapshot, assertOneLineError, metricsLines } from './helpers';

/** The largest maxSteps the memory check allows for this config (bisection over the API). */
function largestMaxSteps(config: Partial<dm.TrainConfig>): number {
  const ok = (t: number) => { try { dm.checkTrainingMemory(dm.resolveConfig({ ...config, maxSteps: t })); return true; } catch { return false; } };
  let lo = 1, hi = 1 << 24;
  while (hi - lo > 1) { const mid = Math.floor((lo + hi) / 2); if (ok(mid)) lo = mid; else hi = mid; }
  return lo;
}

let root: string;
let runDir: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-cli-'));
  runDir = join(root, 'run');
  const r = await dmaml(['train', '--out', runDir, '--iterations', '2', ...SMALL, '--seed', '3']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

test('a small run writes the documented files, all naming the run; the summary names the curve', async () => {
  const files = Object.keys((await snapshot(runDir))!).sort();
  assert.deepEqual(files.filter((f) => !f.startsWith('policy/weights-')), ['curve.svg', 'metrics.jsonl', 'policy/', 'policy/model.json', 'run.json', 'state.json']);
  assert.equal(files.filter((f) => /^policy\/weights-[0-9a-f]{16}\.bin$/.test(f)).length, 1);
  const run = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
  assert.equal(run.format, 'directed-maml-run');
  assert.deepEqual([run.env, run.algo, run.seed], ['CartPole-v1', 'directed-maml', 3]);
  assert.match(run.configHash, /^[0-9a-f]{16}$/);
  const lines = await metricsLines(runDir);
  assert.deepEqual(lines.map((m) => m.iteration), [1, 2]);
  assert.deepEqual(lines.map((m) => m.run), [run.configHash, run.configHash]);
  for (const m of lines) for (const k of ['preReturn', 'postReturn', 'sampleSeconds', 'gradSeconds', 'seconds', 'envSteps']) assert.equal(typeof m[k], 'number', k);
  const model = JSON.parse(await readFile(join(runDir, 'policy', 'model.json'), 'utf8'));
  const { ranges, ...meta } = model.userDefinedMetadata.directedMaml;
  assert.deepEqual(meta, { run: run.configHash, iterations: 2, env: 'CartPole-v1', algo: 'directed-maml', maxSteps: run.config.maxSteps, innerLr: 0.1 });
  assert.deepEqual(ranges.halfLength, [0.25, 0.75], 'the ranges it was trained on, for a loader that adapts it');
  assert.match(await readFile(join(runDir, 'curve.svg'), 'utf8'), /^<svg [\s\S]*seed 3[\s\S]*<\/svg>\n$/);
});

test('bad train inputs: exit 2, one line naming the field and what is allowed; --out untouched or never created', async () => {
  // A user's directory: notes, an old curve and an old weights file.
  const out = join(root, 'existing');
  await mkdir(join(out, 'policy'), { recursive: true });
  await writeFile(join(out, 'notes.txt'), 'keep me');
  await writeFile(join(out, 'curve.svg'), '<svg>mine</svg>');
  await writeFile(join(out, 'policy', 'weights-0123456789abcdef.bin'), 'old weights');
  const rangesFile = join(root, 'ranges.json');
  await writeFile(rangesFile, JSON.stringify({ ranges: { halfLength: [-1, 1] } }));
  const brokenFile = join(root, 'broken.json');
  await writeFile(brokenFile, '{"metaBatch": 4,');
  const unknownKeyFile = join(root, 'unknown.json');
  await writeFile(unknownKeyFile, JSON.stringify({ metaBatchSize: 4 }));
  const twiceFile = join(root, 'twice.json');
  await writeFile(twiceFile, '{"metaBatch": 4, "seed": 2, "metaBatch": 40}');
  const hugeFile = join(root, 'huge.json');
  await writeFile(hugeFile, JSON.stringify({ env: 'x'.repeat(50 * 1024 * 1024) }));
  const before = await snapshot(out);
  const cases: Array<[string[], RegExp]> = [
    [['--env', 'Pendulum-v9'], /env: got "Pendulum-v9"; allowed: .*CartPole-v1/],
    [['--algo', 'reptile'], /algo: got "reptile"; allowed: maml \| fomaml \| meta-sgd \| directed-maml/],
    [['--inner-lr', '-0.1'], /innerLr: got "-0.1"; allowed: a number >= 0/],
    [['--hidden', 'abc'], /hidden: got "abc"; allowed: .*integers.*'none' for linear/],
    [['--config', rangesFile], /ranges\.halfLength: got \[-1, 1\]; allowed: values in \(0, 100\]/],
    [['--config', brokenFile], /--config: got ".*broken\.json"; allowed: a readable JSON file/],
    [['--config', unknownKeyFile], /metaBatchSize: got 4; allowed: a config field: .*metaBatch/],
    [['--config', twiceFile], /--config: got ".*twice\.json"; allowed: .*duplicate key "metaBatch"/],
    [['--config', hugeFile], /env: got "x{80}…" \(52428800 characters\); allowed: CartPole-v1/],
    [['--meta-batch'], /--meta-batch: got "\(no value\)"; allowed: an integer in \[1, 16777216\]/],
    [['--learning-rate', '1'], /--learning-rate: got "1"; allowed: a flag of dmaml train: --out, --resume, --config, .*--inner-lr/],
    [['--seed', '1', '--seed=2'], /--seed: got "--seed=2"; allowed: each flag at most once/],
    [['--medium', 'halfLength=-3'], /halfLength: got -3; allowed: \(0, 100\]/],
    [['--ranges', 'halfLength=0.3:0.5,halfLength=0.6:0.7'], /ranges: got ".*"; allowed: each parameter at most once \(halfLength is given twice\)/],
    [['--algo', 'maml', '--directed-lr', '0.2'], /directedLr: got 0\.2; allowed: nothing: it applies only to a directed-\* algo \(algo is maml\)/],
    // A directory holding a user's files is refused before anything is written.
    [[...SMALL], /--out: got ".*existing"; allowed: an empty or new directory \(it holds curve\.svg, notes\.txt, policy; dmaml train never writes/],
  ];
  const runs = await Promise.all(cases.map(([args]) => dmaml(['train', '--out', out, ...args])));
  runs.forEach((r, i) => assertOneLineError(r, cases[i][1], cases[i][0].join(' ').slice(0, 100)));
  assert.deepEqual(await snapshot(out), before, 'the directory holds only what it held');

  // Limits of the WASM memory (the values) and paths that cannot be a directory: refused
  // before any directory is created.
  const file = join(out, 'notes.txt');
  const fresh = (name: string) => join(root, 'never', name);
  await dm.init();
  const limit = largestMaxSteps({ algo: 'directed-fomaml', metaBatch: 2, episodes: 2, hidden: [8] }); // it runs: test/train/memory
  const early: Array<[string[], RegExp]> = [
    [['--out', fresh('limit'), '--algo', 'directed-fomaml', '--meta-batch', '2', '--episodes', '2', '--hidden', '8', '--max-steps', String(limit + 1)],
      new RegExp(`episodes × maxSteps: got "2 × ${limit + 1} = ${2 * (limit + 1)} steps"; allowed: maxSteps <= ${limit} with the other values as given: a run on CartPole-v1 must fit 3\\.00 GiB of WASM memory \\(this needs 3\\.00 GiB\\)`)],
    [['--out', fresh('a'), '--max-steps', '16777216'], /episodes × maxSteps: got "20 × 16777216 = 335544320 steps"; allowed: maxSteps <= \d+ with the other values as given: a run on CartPole-v1 must fit no buffer of 1\.00 GiB or more/],
    [['--out', fresh('b'), '--meta-batch', '1000000'], /metaBatch × hidden: got "1000000 × \[64, 64\]"; allowed: at most \d+ tasks with this policy, or a smaller policy \(one iteration holds a meta-gradient per task\).* needs 17\.\d GiB/],
    [['--out', fresh('c'), '--hidden', '4096,4096,4096'], /metaBatch × hidden: got "20 × \[4096, 4096, 4096\]"; allowed: at most 9 tasks with this policy, or a smaller policy/],
    [['--out', fresh('d'), '--episodes', '400', '--max-steps', '500', '--grad-engine', 'tfjs'], /episodes × maxSteps: .*allowed: maxSteps <= \d+ .*tfjs backend's WASM memory/],
    [['--out', fresh('e'), '--episodes', '400', '--max-steps', '500', '--inner-steps', '300', '--hidden', '1024,1024'], /hidden: got \[1024, 1024\]; allowed: a smaller policy \(or fewer innerSteps\)/],
    [['--out', join(file, 'sub'), ...SMALL], /--out: got ".*notes\.txt\/sub"; allowed: a directory path \(a part of this path is a file, not a directory: ENOTDIR\)/],
    [['--out', file, ...SMALL], /--out: got ".*notes\.txt"; allowed: a directory \(this path is a file\)/],
    [['--out', '', ...SMALL], /--out: got ""; allowed: a directory path/],
  ];
  const earlyRuns = await Promise.all(early.map(([args]) => dmaml(['train', ...args])));
  earlyRuns.forEach((r, i) => assertOneLineError(r, early[i][1], early[i][0].join(' ')));
  assert.equal(await snapshot(join(root, 'never')), null, 'no directory was created');
  assert.deepEqual(await snapshot(out), before);
  assertOneLineError(await dmaml(['trian']), /command: got "trian"; allowed: train \| adapt/, 'unknown command');
});

test('an existing run: refused without --resume, corrupt or changed on --resume; files untouched', async () => {
  const before = await snapshot(runDir);
  const cases: Array<[string[], RegExp]> = [
    [['train', '--out', runDir, ...SMALL, '--seed', '3'], /--out: .*it holds a run of this same config: continue it with --resume .*run, or choose another --out/],
    [['train', '--out', runDir, ...SMALL], /--out: .*it holds a run of another config \(CartPole-v1, directed-maml, seed 3, config [0-9a-f]{16}\)/],
    [['train', '--resume', runDir, '--inner-lr', '0.5'], /innerLr: got 0\.5; allowed: 0\.1 .*only --iterations, --workers may change/],
    [['train', '--resume', runDir, '--iterations', '1'], /iterations: got 1; allowed: an integer >= 2/],
    [['train', '--resume', runDir, '--out', join(root, 'elsewhere')], /--out: .*omit it with --resume/],
    [['train', '--resume', join(root, 'nothing-here')], /--resume: got ".*nothing-here"; allowed: a run directory written by dmaml train \(ENOENT\)/],
  ];
  const runs = await Promise.all(cases.map(([args]) => dmaml(args)));
  runs.forEach((r, i) => assertOneLineError(r, cases[i][1], cases[i][0].join(' ')));
  assert.deepEqual(await snapshot(runDir), before);

  // One character of state.json changed (inside θ's base64): refused as corrupt, nothing changes.
  const copy = join(root, 'corrupt');
  await cp(runDir, copy, { recursive: true });
  const state = await readFile(join(copy, 'state.json'), 'utf8');
  const at = state.indexOf('"b64":"') + 20;
  await writeFile(join(copy, 'state.json'), state.slice(0, at) + (state[at] === 'Q' ? 'R' : 'Q') + state.slice(at + 1));
  const corrupted = await snapshot(copy);
  const r = await dmaml(['train', '--resume', copy, '--iterations', '3']);
  assertOneLineError(r, /--resume: got ".*state\.json"; allowed: an intact checkpoint .*checkpoint: checksum mismatch/, 'corrupt state.json');
  assert.deepEqual(await snapshot(copy), corrupted);
  // Truncated state.json (as a non-atomic writer would leave it).
  await writeFile(join(copy, 'state.json'), state.slice(0, state.length >> 1));
  const truncated = await snapshot(copy);
  assertOneLineError(await dmaml(['train', '--resume', copy]), /--resume: .*checkpoint: not valid JSON/, 'truncated state.json');
  assert.deepEqual(await snapshot(copy), truncated);
});

test('--resume after a crash mid-iteration: the line past the checkpoint and a torn tail are cut, never appended to', async () => {
  const copy = join(root, 'crashed');
  await cp(runDir, copy, { recursive: true });
  const before = await snapshot(copy);
  const text = await readFile(join(copy, 'metrics.jsonl'), 'utf8');
  const lines = text.trimEnd().split('\n');
  // Iteration 3's line reached the file, its state.json did not; then a torn 4th line (a crash
  // in the middle of an append).
  await appendFile(join(copy, 'metrics.jsonl'), `${lines[1].replace('"iteration":2', '"iteration":3')}\n{"iteration":4,"pre`);
  const r = await dmaml(['train', '--resume', copy, '--iterations', '3']);
  assert.equal(r.code, 0, r.stderr);
  const afterText = await readFile(join(copy, 'metrics.jsonl'), 'utf8');
  assert.ok(afterText.startsWith(text), 'iterations 1 and 2 are kept byte for byte');
  const after = afterText.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(after.map((m) => m.iteration), [1, 2, 3]);
  assert.equal(after[2].run, after[0].run);
  assert.ok(afterText.endsWith('\n'));
  assert.match(r.stdout, /iterations: 3 of 3; 1 in this run/);
  assert.match(r.stdout, /curve: +.*crashed\/curve\.svg/);
  // run.json is never rewritten by a resume.
  assert.equal((await snapshot(copy))!['run.json'], before!['run.json']);
});

test('dmaml adapt: returns after 0..steps steps; bad inputs exit 2 naming the field', async () => {
  const ok = await dmaml(['adapt', '--checkpoint', runDir, '--env', 'CartPole-v1', '--task', 'halfLength=0.7', '--steps', '2', '--episodes', '3', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const result = JSON.parse(ok.stdout);
  assert.deepEqual(result.steps, [0, 1, 2]);
  assert.equal(result.returns.length, 3);
  // CartPole pays 1 per step: every mean return lies in [1, maxSteps].
  for (const x of result.returns) assert.ok(x >= 1 && x <= 20, `return ${x}`);
  assert.equal(result.task.halfLength, 0.7);
  const text = await dmaml(['adapt', '--checkpoint', runDir, '--task', 'halfLength=0.7', '--steps', '1', '--episodes', '3']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /after 0 steps: +\d+\.\d\d\n +after 1 step: +\d+\.\d\d\n$/);
  assert.doesNotMatch(text.stderr, /outside/, 'inside the trained ranges: no warning');
  // Outside the trained ranges: adapted all the same, with one warning line naming the parameter.
  const outside = await dmaml(['adapt', '--checkpoint', runDir, '--task', 'halfLength=0.9', '--steps', '0', '--episodes', '1']);
  assert.equal(outside.code, 0, outside.stderr);
  assert.equal(outside.stderr, 'dmaml adapt: warning: outside the trained ranges: halfLength=0.9 (trained on [0.25, 0.75])\n');

  const before = await snapshot(runDir);
  const cases: Array<[string[], RegExp]> = [
    [['--env', 'Intersection-v0'], /--env: got "Intersection-v0"; allowed: CartPole-v1/],
    [['--task', 'massPol=0.2'], /task\.massPol: .*massPole/],
    [['--task', 'halfLength=-1'], /halfLength: got -1; allowed: \(0, 100\]/],
    [['--task', 'halfLength'], /--task: got "halfLength"; allowed: name=value/],
    [['--task', 'halfLength=0.3,halfLength=0.6'], /--task: got ".*"; allowed: each parameter at most once \(halfLength is given twice\)/],
    [['--steps', '-1'], /--steps: got "-1"; allowed: an integer in \[0, 1000\]/],
    [['--json=yes'], /--json: got "yes"; allowed: no value \(a switch\)/],
    [['--json', 'yes'], /argument: got "yes"; allowed: flags of the form --name value/],
    [['--lr', '1'], /--lr: got "1"; allowed: a flag of dmaml adapt: --checkpoint, --task, --steps, --save, --json, --env/],
    [['--episodes', '1000000', '--max-steps', '500'], /episodes × maxSteps: got "1000000 × 500 = 500000000 steps"; allowed: maxSteps <= \d+ with the other values as given/],
  ];
  const runs = await Promise.all(cases.map(([args]) => dmaml(['adapt', '--checkpoint', runDir, ...args])));
  runs.forEach((r, i) => assertOneLineError(r, cases[i][1], cases[i][0].join(' ')));
  assertOneLineError(await dmaml(['adapt', '--task', 'halfLength=0.5']), /--checkpoint: got "\(missing\)"/, 'no checkpoint');
  assert.deepEqual(await snapshot(runDir), before);
});

test('dmaml demo: the library RNG drives every action of the env; unknown flags are refused', async () => {
  const [ok, bad] = await Promise.all([
    dmaml(['demo', '--env', 'Intersection-v0', '--num-envs', '64', '--steps', '200', '--seed', '5']),
    dmaml(['demo', '--lanes', '8']),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  // Intersection-v0 has 5 actions: a random policy over all of them ends episodes (crashes or crossings).
  assert.match(ok.stdout, /Intersection-v0 .*random policy, 64 envs x 200 steps\nepisodes finished: [1-9]\d*, mean return: -?\d+\.\d\d\n/);
  assertOneLineError(bad, /--lanes: got "8"; allowed: a flag of dmaml demo: --num-envs, --steps, --env, --seed/, 'demo --lanes');
});

test('dmaml --help is short: one line per command, then where each command\'s help is', async () => {
  const r = await dmaml(['--help']);
  assert.equal(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.length <= 20, `${lines.length} lines:\n${r.stdout}`);
  for (const command of ['train', 'adapt', 'evaluate', 'experiment', 'worker', 'demo']) {
    assert.match(r.stdout, new RegExp(`^  ${command} +\\S.*$`, 'm'), `one line for ${command}`);
  }
  assert.match(r.stdout, /dmaml <command> --help/);
  assert.deepEqual((await dmaml(['help'])).stdout, r.stdout);
});

test('train --help lists every flag with its default and description, and the memory limits', async () => {
  const r = await dmaml(['train', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--env', '--algo', '--iterations', '--meta-batch', '--episodes', '--max-steps', '--hidden', '--inner-lr', '--outer-lr', '--gamma', '--lambda', '--seed', '--directed-lr', '--directed-schedule', '--resume', '--config', '--out']) {
    assert.ok(r.stdout.includes(flag), `train --help mentions ${flag}`);
  }
  assert.match(r.stdout, /--inner-lr <number> +inner \(adaptation\) step size.*\n +default 0\.1; allowed: a number >= 0/);
  assert.match(r.stdout, /--directed-lr <number>.*\n +default inner-lr \(α\); allowed: a number >= 0; only with a directed-\* algo/);
  assert.match(r.stdout, /--workers <int>.*\n +default 0 \(one per core\); 1 with backend webgl;/);
  assert.match(r.stdout, /--hidden <int,int,…\|none>/);
  assert.match(r.stdout, /Limits of the WASM memory .*\n.*\n.*\n.*\n +CartPole-v1, hidden 64,64: maxSteps <= \d+ at metaBatch 20, episodes 20 \(directed-maml\)/);
});

test("every command's help states each default once", async () => {
  for (const command of ['train', 'adapt', 'evaluate', 'experiment', 'worker', 'demo']) {
    const lines = (await dmaml([command, '--help'])).stdout.split('\n');
    lines.forEach((line, i) => {
      if (!/^  --/.test(line)) return;
      const row = `${line}\n${lines[i + 1] ?? ''}`;
      assert.ok((row.match(/\bdefault/g) ?? []).length <= 1, `${command} --help: ${row}`);
    });
  }
});
