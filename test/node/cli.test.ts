// The CLI as a user runs it (node bin/dmaml.js, a child process): every bad input exits 2 with ONE
// line on stderr naming the field and what is allowed, and leaves the files already in the run
// directory byte-for-byte as they were. (The train/resume equality test is test/train/; each value
// rule of the schema is tested in test/config.test.ts — here one case per kind of input.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, writeFile, rm, appendFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'bin', 'dmaml.js');
const SMALL = ['--meta-batch', '2', '--episodes', '2', '--max-steps', '30', '--hidden', '8'];

interface Run { code: number; stdout: string; stderr: string }

function dmaml(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every file under dir with its bytes (a snapshot to compare). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    if ((await stat(path)).isFile()) out[entry] = (await readFile(path)).toString('base64');
  }
  return out;
}

function assertOneLineError(r: Run, pattern: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit code ${r.code}, stderr ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^dmaml: /, what);
  assert.match(lines[0], pattern, what);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
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

test('a small run writes the documented files and a summary naming the curve', async () => {
  const files = Object.keys(await snapshot(runDir)).sort();
  assert.deepEqual(files.filter((f) => !f.startsWith('policy/weights-')), ['curve.svg', 'metrics.jsonl', 'policy/model.json', 'state.json']);
  assert.equal(files.filter((f) => /^policy\/weights-[0-9a-f]{16}\.bin$/.test(f)).length, 1);
  const lines = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((m) => m.iteration), [1, 2]);
  for (const m of lines) for (const k of ['preReturn', 'postReturn', 'sampleSeconds', 'gradSeconds', 'seconds', 'envSteps']) assert.equal(typeof m[k], 'number', k);
  assert.match(await readFile(join(runDir, 'curve.svg'), 'utf8'), /^<svg [\s\S]*seed 3[\s\S]*<\/svg>\n$/);
});

test('bad train inputs: exit 2, one line naming the field and what is allowed, --out untouched', async () => {
  const out = join(root, 'existing');
  await mkdir(out);
  await writeFile(join(out, 'notes.txt'), 'keep me');
  const rangesFile = join(root, 'ranges.json');
  await writeFile(rangesFile, JSON.stringify({ ranges: { halfLength: [-1, 1] } }));
  const brokenFile = join(root, 'broken.json');
  await writeFile(brokenFile, '{"metaBatch": 4,');
  const unknownKeyFile = join(root, 'unknown.json');
  await writeFile(unknownKeyFile, JSON.stringify({ metaBatchSize: 4 }));
  const before = await snapshot(out);
  const cases: Array<[string[], RegExp]> = [
    [['--env', 'Pendulum-v9'], /env: got "Pendulum-v9"; allowed: .*CartPole-v1/],
    [['--algo', 'reptile'], /algo: got "reptile"; allowed: maml \| fomaml \| meta-sgd \| directed-maml/],
    [['--inner-lr', '-0.1'], /innerLr: got "-0.1"; allowed: a number > 0/],
    [['--hidden', 'abc'], /hidden: got "abc"; allowed: .*integers/],
    [['--config', rangesFile], /ranges\.halfLength: got \[-1, 1\]; allowed: values in \(0, 100\]/],
    [['--config', brokenFile], /--config: got ".*broken\.json"; allowed: a readable JSON file/],
    [['--config', unknownKeyFile], /metaBatchSize: got 4; allowed: a config field: .*metaBatch/],
    [['--meta-batch'], /metaBatch: got "\(no value\)"/],
    [['--learning-rate', '1'], /--learning-rate: got "1"; allowed: a config flag: .*--inner-lr/],
    [['--medium', 'halfLength=-3'], /halfLength: got -3; allowed: \(0, 100\]/],
  ];
  const runs = await Promise.all(cases.map(([args]) => dmaml(['train', '--out', out, ...args])));
  runs.forEach((r, i) => assertOneLineError(r, cases[i][1], cases[i][0].join(' ')));
  assert.deepEqual(await snapshot(out), before, 'the directory holds only what it held');
  // A file as --out.
  assertOneLineError(await dmaml(['train', '--out', join(out, 'notes.txt')]), /--out: .*a directory/, 'file as --out');
  // An unknown command.
  assertOneLineError(await dmaml(['trian']), /command: got "trian"; allowed: train \| adapt/, 'unknown command');
});

test('an existing run: refused without --resume, corrupt or changed on --resume; files untouched', async () => {
  const before = await snapshot(runDir);
  const cases: Array<[string[], RegExp]> = [
    [['train', '--out', runDir, ...SMALL], /--out: .*holds state\.json: continue it with --resume/],
    [['train', '--resume', runDir, '--inner-lr', '0.5'], /innerLr: got 0\.5; allowed: 0\.1 .*only --iterations may change/],
    [['train', '--resume', runDir, '--iterations', '1'], /iterations: got 1; allowed: an integer >= 2/],
    [['train', '--resume', runDir, '--out', join(root, 'elsewhere')], /--out: .*omit it with --resume/],
    [['train', '--resume', join(root, 'nothing-here')], /--resume: .*holding state\.json \(ENOENT\)/],
  ];
  const runs = await Promise.all(cases.map(([args]) => dmaml(args)));
  runs.forEach((r, i) => assertOneLineError(r, cases[i][1], cases[i][0].join(' ')));
  assert.deepEqual(await snapshot(runDir), before);

  // One character of state.json changed (inside θ's base64): refused as corrupt, nothing changes.
  const copy = join(root, 'corrupt');
  await mkdir(copy);
  for (const [name, b64] of Object.entries(before)) {
    await mkdir(join(copy, name, '..'), { recursive: true });
    await writeFile(join(copy, name), Buffer.from(b64, 'base64'));
  }
  const state = await readFile(join(copy, 'state.json'), 'utf8');
  const at = state.indexOf('"b64":"') + 20;
  await writeFile(join(copy, 'state.json'), state.slice(0, at) + (state[at] === 'Q' ? 'R' : 'Q') + state.slice(at + 1));
  const corrupted = await snapshot(copy);
  const r = await dmaml(['train', '--resume', copy, '--iterations', '3']);
  assertOneLineError(r, /--resume: got ".*state\.json"; allowed: an intact checkpoint .*checkpoint: checksum mismatch/, 'corrupt state.json');
  assert.deepEqual(await snapshot(copy), corrupted);
  // Truncated state.json (as a non-atomic writer would leave it).
  await writeFile(join(copy, 'state.json'), state.slice(0, state.length >> 1));
  assertOneLineError(await dmaml(['train', '--resume', copy]), /--resume: .*checkpoint: not valid JSON/, 'truncated state.json');
});

test('--resume after a crash between the metrics line and state.json: the extra line is cut, not duplicated', async () => {
  const copy = join(root, 'crashed');
  await mkdir(join(copy, 'policy'), { recursive: true });
  for (const [name, b64] of Object.entries(await snapshot(runDir))) await writeFile(join(copy, name), Buffer.from(b64, 'base64'));
  const lines = (await readFile(join(copy, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n');
  // Iteration 3's line reached the file, its state.json did not; then a torn 4th line.
  await appendFile(join(copy, 'metrics.jsonl'), `${lines[1].replace('"iteration":2', '"iteration":3')}\n{"iteration":4,"pre`);
  const r = await dmaml(['train', '--resume', copy, '--iterations', '3']);
  assert.equal(r.code, 0, r.stderr);
  const after = (await readFile(join(copy, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(after.map((m) => m.iteration), [1, 2, 3]);
  assert.equal(JSON.stringify(after[0]), lines[0]);
  assert.match(r.stdout, /iterations: 3 of 3; 1 in this run/);
  assert.match(r.stdout, /curve: +.*crashed\/curve\.svg/);
});

test('dmaml adapt: returns after 0..steps steps; bad inputs exit 2 naming the field', async () => {
  const ok = await dmaml(['adapt', '--checkpoint', runDir, '--env', 'CartPole-v1', '--task', 'halfLength=0.7', '--steps', '2', '--episodes', '3', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const result = JSON.parse(ok.stdout);
  assert.deepEqual(result.steps, [0, 1, 2]);
  assert.equal(result.returns.length, 3);
  // CartPole pays 1 per step: every mean return lies in [1, maxSteps].
  for (const x of result.returns) assert.ok(x >= 1 && x <= 30, `return ${x}`);
  assert.equal(result.task.halfLength, 0.7);
  const text = await dmaml(['adapt', '--checkpoint', runDir, '--task', 'halfLength=0.7', '--steps', '1', '--episodes', '3']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /after 0 steps: +\d+\.\d\d\n +after 1 step: +\d+\.\d\d\n$/);

  const before = await snapshot(runDir);
  const cases: Array<[string[], RegExp]> = [
    [['--env', 'Intersection-v0'], /--env: got "Intersection-v0"; allowed: CartPole-v1/],
    [['--task', 'massPol=0.2'], /task\.massPol: .*massPole/],
    [['--task', 'halfLength=-1'], /halfLength: got -1; allowed: \(0, 100\]/],
    [['--task', 'halfLength'], /--task: got "halfLength"; allowed: name=value/],
    [['--steps', '-1'], /--steps: got "-1"; allowed: an integer in \[0, 1000\]/],
    [['--lr', '1'], /--lr: got "1"; allowed: --checkpoint/],
  ];
  const runs = await Promise.all(cases.map(([args]) => dmaml(['adapt', '--checkpoint', runDir, ...args])));
  runs.forEach((r, i) => assertOneLineError(r, cases[i][1], cases[i][0].join(' ')));
  assertOneLineError(await dmaml(['adapt', '--task', 'halfLength=0.5']), /--checkpoint: got "\(missing\)"/, 'no checkpoint');
  assert.deepEqual(await snapshot(runDir), before);
});

test('--help lists every config flag with its default and description', async () => {
  for (const args of [['--help'], ['train', '--help']]) {
    const r = await dmaml(args);
    assert.equal(r.code, 0);
    for (const flag of ['--env', '--algo', '--iterations', '--meta-batch', '--episodes', '--max-steps', '--hidden', '--inner-lr', '--outer-lr', '--gamma', '--lambda', '--seed', '--directed-lr', '--directed-schedule', '--resume', '--config', '--out']) {
      assert.ok(r.stdout.includes(flag), `${args.join(' ')} mentions ${flag}`);
    }
    assert.match(r.stdout, /--inner-lr <number> +inner \(adaptation\) step size.*\n +default 0\.1; allowed: a number > 0/);
  }
});
