// The config schema: defaults (SPEC §5), one ConfigError per bad value naming the field and what is
// allowed, kebab-case CLI flags, --config file under flags, unknown keys refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

/** Asserts fn throws a ConfigError for `field` whose message mentions every string of `allowedHas`. */
function throwsField(fn: () => unknown, field: string, ...allowedHas: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof dm.ConfigError, `expected ConfigError, got ${err}`);
    assert.equal(err.field, field);
    assert.ok(err.message.startsWith(`${field}: `), err.message);
    assert.ok(!err.message.includes('\n'), 'one line');
    for (const s of allowedHas) assert.ok(err.allowed.includes(s), `allowed "${err.allowed}" should mention "${s}"`);
    return true;
  });
}

test('defaults are SPEC §5 values; directedLr follows innerLr; ranges are the env default', () => {
  const c = dm.defaultConfig();
  assert.deepEqual(c, {
    env: 'CartPole-v1',
    ranges: { halfLength: [0.25, 0.75] },
    algo: 'directed-maml',
    iterations: 30,
    metaBatch: 20,
    episodes: 20,
    maxSteps: 500,
    hidden: [64, 64],
    activation: 'tanh',
    innerLr: 0.1,
    innerSteps: 1,
    outerLr: 0.01,
    gamma: 0.99,
    lambda: 1,
    seed: 1,
    directedLr: 0.1,
    directedVariant: 'pg',
    directedSchedule: 'every',
    backend: 'wasm',
    estimator: 'naive',
    workers: 0, // one per core, resolved by the trainer's worker factory
    gradEngine: 'wasm',
  });
  // Choosing webgl moves the meta-gradient onto it (the wasm engine would leave webgl no work), unless asked otherwise.
  assert.equal(dm.resolveConfig({ backend: 'webgl' }).gradEngine, 'tfjs');
  assert.equal(dm.resolveConfig({ backend: 'webgl' }).workers, 1); // one GL context
  assert.equal(dm.resolveConfig({ backend: 'webgl', workers: 2 }).workers, 2);
  assert.equal(dm.resolveConfig({ backend: 'webgl', gradEngine: 'wasm' }).gradEngine, 'wasm');
  assert.equal(dm.resolveConfig({ backend: 'cpu' }).gradEngine, 'wasm');
  assert.equal(dm.resolveConfig({ innerLr: 0.05 }).directedLr, 0.05);
  assert.equal(dm.resolveConfig({ innerLr: 0.05, directedLr: 0.2 }).directedLr, 0.2);
  // The resolved config is frozen (it stays what was validated) and a copy: the next defaults are new.
  assert.throws(() => c.hidden.push(3), TypeError);
  assert.throws(() => { (c.ranges.halfLength as number[])[0] = 9; }, TypeError);
  assert.notEqual(dm.defaultConfig().hidden, c.hidden);
  assert.deepEqual(dm.defaultConfig().hidden, [64, 64]);
  assert.deepEqual(dm.defaultConfig().ranges, { halfLength: [0.25, 0.75] });
  // Every field of the table has a description and appears in the help text with its flag.
  const help = dm.configHelp();
  for (const f of dm.CONFIG_FIELDS) {
    assert.ok(f.description.length > 10, f.name);
    assert.ok(help.includes(`--${f.flag} `), `help lists --${f.flag}`);
  }
  assert.match(help, /--inner-lr <number>.*\n\s+default 0\.1; allowed: a number >= 0/);
});

test('each bad value throws a ConfigError naming the field and what is allowed', () => {
  const bad: Array<[Record<string, unknown>, string, string[]]> = [
    [{ env: 'Pendulum-v9' }, 'env', ['CartPole-v1']],
    [{ algo: 'reptile' }, 'algo', ['maml', 'directed-meta-sgd']],
    [{ iterations: 0 }, 'iterations', ['integer', '[1, ']],
    [{ iterations: 2.5 }, 'iterations', ['integer']],
    [{ metaBatch: -3 }, 'metaBatch', ['[1, 16777216]']],
    [{ metaBatch: 2 ** 24 + 1 }, 'metaBatch', ['[1, 16777216]']],
    [{ episodes: '20' }, 'episodes', ['integer']],
    [{ maxSteps: 0 }, 'maxSteps', ['[1, 16777216]']],
    [{ maxSteps: 2 ** 24 + 1 }, 'maxSteps', ['[1, 16777216]']],
    [{ episodes: 2 ** 24 + 1 }, 'episodes', ['[1, 16777216]']],
    [{ hidden: [64, 0] }, 'hidden', ['integers']],
    [{ hidden: new Array(17).fill(8) }, 'hidden', ['0 to 16']],
    [{ hidden: 64 }, 'hidden', ['list']],
    [{ activation: 'sigmoid' }, 'activation', ['tanh', 'relu']],
    [{ innerLr: -0.1 }, 'innerLr', ['>= 0']],
    [{ innerLr: -1e-300 }, 'innerLr', ['>= 0']],
    [{ innerLr: NaN }, 'innerLr', ['>= 0']],
    [{ innerSteps: 1.5 }, 'innerSteps', ['integer']],
    [{ outerLr: Infinity }, 'outerLr', ['> 0']],
    [{ gamma: 1.01 }, 'gamma', ['[0, 1]']],
    [{ lambda: -0.5 }, 'lambda', ['[0, 1]']],
    [{ seed: -1 }, 'seed', ['integer', '4294967295']],
    [{ seed: 2 ** 32 }, 'seed', ['4294967295']],
    [{ directedLr: -0.1 }, 'directedLr', ['>= 0']],
    // Directed-only fields given to another algorithm are refused, not ignored.
    [{ algo: 'maml', directedLr: 0.1 }, 'directedLr', ['only to a directed-* algo', 'algo is maml']],
    [{ algo: 'fomaml', medium: { halfLength: 0.5 } }, 'medium', ['only to a directed-* algo']],
    [{ algo: 'meta-sgd', directedSchedule: 'every' }, 'directedSchedule', ['only to a directed-* algo']],
    [{ algo: 'maml', directedVariant: 'pg' }, 'directedVariant', ['only to a directed-* algo']],
    [{ directedVariant: 'sgd' }, 'directedVariant', ['pg', 'fomaml']],
    [{ directedSchedule: 'sometimes' }, 'directedSchedule', ['every:N', 'first:K']],
    [{ directedSchedule: 'every:0' }, 'directedSchedule', ['N >= 1']],
    [{ directedSchedule: 'first:-1' }, 'directedSchedule', ['first:K']],
    [{ ranges: [0.25, 0.75] }, 'ranges', ['[low, high]']],
    [{ ranges: { halfLength: [0.25] } }, 'ranges.halfLength', ['[low, high]']],
    [{ ranges: { halfLength: 'long' } }, 'ranges.halfLength', ['finite number']],
    [{ medium: { halfLength: NaN } }, 'medium.halfLength', ['finite number']],
    [{ backend: 'webgpu' }, 'backend', ['wasm', 'cpu']],
  ];
  for (const [partial, field, allowed] of bad) throwsField(() => dm.resolveConfig(partial), field, ...allowed);
});

test('edge values that are allowed pass unchanged', () => {
  const c = dm.resolveConfig({
    gamma: 0, lambda: 1, seed: 2 ** 32 - 1, hidden: [], innerLr: 1e-9, directedSchedule: 'first:0',
    ranges: { halfLength: 0.5, massPole: [0.05, 0.5] }, medium: { halfLength: 0.5 },
  });
  assert.equal(c.gamma, 0);
  assert.equal(c.seed, 4294967295);
  assert.deepEqual(c.hidden, []);
  assert.deepEqual(c.ranges, { halfLength: 0.5, massPole: [0.05, 0.5] });
  assert.deepEqual(c.medium, { halfLength: 0.5 });
});

test('unknown keys are refused by name; a non-object config is refused', () => {
  throwsField(() => dm.resolveConfig({ innerLR: 0.1 }), 'innerLR', 'innerLr');
  throwsField(() => dm.resolveConfig({ metaBatch: 4, 'meta-batch': 4 }), 'meta-batch', 'metaBatch');
  throwsField(() => dm.resolveConfig([1, 2]), 'config', 'object');
  throwsField(() => dm.resolveConfig('CartPole-v1'), 'config', 'object');
});

test('schedules parse into {kind, n} and decide the iterations of the directed step', () => {
  assert.deepEqual(dm.parseDirectedSchedule('every'), { kind: 'every', n: 1 });
  assert.deepEqual(dm.parseDirectedSchedule('every:3'), { kind: 'every', n: 3 });
  assert.deepEqual(dm.parseDirectedSchedule('first:5'), { kind: 'first', n: 5 });
  const due = (s: string) => [0, 1, 2, 3, 4, 5, 6].filter((k) => dm.directedStepDue(dm.parseDirectedSchedule(s), k));
  assert.deepEqual(due('every'), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(due('every:3'), [0, 3, 6]);
  assert.deepEqual(due('first:2'), [0, 1]);
  assert.deepEqual(due('first:0'), []);
});

test('CLI flags: kebab-case, typed from the table, both --name value and --name=value', () => {
  const p = dm.parseCliFlags([
    '--env', 'CartPole-v1', '--algo=directed-fomaml', '--meta-batch', '4', '--inner-lr', '0.05', '--hidden', '32,16',
    '--max-steps', '200', '--ranges', 'halfLength=0.3:0.6,massPole=0.2', '--medium', 'halfLength=0.4',
    '--directed-schedule', 'every:2', '--seed', '7',
  ]);
  assert.deepEqual(p, {
    env: 'CartPole-v1', algo: 'directed-fomaml', metaBatch: 4, innerLr: 0.05, hidden: [32, 16], maxSteps: 200,
    ranges: { halfLength: [0.3, 0.6], massPole: 0.2 }, medium: { halfLength: 0.4 }, directedSchedule: 'every:2', seed: 7,
  });
  const c = dm.resolveConfig(p);
  assert.equal(c.directedLr, 0.05);
  // JSON form of the object flags.
  assert.deepEqual(dm.parseCliFlags(['--ranges', '{"halfLength":[0.3,0.6]}']).ranges, { halfLength: [0.3, 0.6] });
  // Negative numbers are values, refused by the schema with the field's name.
  throwsField(() => dm.parseCliFlags(['--inner-lr', '-0.1']), 'innerLr', '>= 0');
  throwsField(() => dm.parseCliFlags(['--hidden', 'abc']), 'hidden', 'integers');
  throwsField(() => dm.parseCliFlags(['--hidden', '64,']), 'hidden', 'integers');
  throwsField(() => dm.parseCliFlags(['--meta-batch', '']), 'metaBatch', 'integer');
  throwsField(() => dm.parseCliFlags(['--meta-batch', '4x']), 'metaBatch', 'integer');
  throwsField(() => dm.parseCliFlags(['--gamma', '2']), 'gamma', '[0, 1]');
  throwsField(() => dm.parseCliFlags(['--inner_lr', '0.1']), '--inner_lr', '--inner-lr');
  throwsField(() => dm.parseCliFlags(['--innerLr', '0.1']), '--innerLr', '--inner-lr');
  throwsField(() => dm.parseCliFlags(['innerLr']), 'argument', '--name value');
  throwsField(() => dm.parseCliFlags(['--seed', '1', '--seed', '2']), '--seed', 'at most once');
  throwsField(() => dm.parseCliFlags(['--meta-batch', '--seed', '2']), '--meta-batch', 'integer');
  assert.throws(() => dm.parseCliFlags(['--meta-batch']), /--meta-batch: got "\(no value\)"/);
  // --hidden none: the linear policy.
  assert.deepEqual(dm.parseCliFlags(['--hidden', 'none']).hidden, []);
  // A parameter named twice is refused (not "last one wins"), in both forms.
  throwsField(() => dm.parseCliFlags(['--ranges', 'halfLength=0.3:0.5,halfLength=0.6:0.7']), 'ranges', 'at most once', 'halfLength');
  throwsField(() => dm.parseCliFlags(['--ranges', '{"halfLength":[0.3,0.5],"halfLength":[0.6,0.7]}']), 'ranges', 'duplicate key "halfLength"');
  throwsField(() => dm.parseCliFlags(['--medium', 'halfLength=0.3,halfLength=0.6']), 'medium', 'at most once');
  // A value the flag form reads but the schema refuses (a name outside the env) is left to resolve/TaskFamily.
  throwsField(() => dm.resolveConfig(dm.parseCliFlags(['--ranges', 'halfLength=a:0.5'])), 'ranges.halfLength', 'finite');
});

test('--config file under flags: flags win, file keys are validated like API keys', () => {
  const file = { metaBatch: 8, innerLr: 0.2, hidden: [16], algo: 'maml' };
  const merged = dm.parseCliFlags(['--inner-lr', '0.3', '--algo', 'directed-fomaml'], file);
  assert.deepEqual(merged, { metaBatch: 8, innerLr: 0.3, hidden: [16], algo: 'directed-fomaml' });
  const c = dm.resolveConfig(merged);
  assert.equal(c.metaBatch, 8);
  assert.equal(c.innerLr, 0.3);
  assert.equal(c.directedLr, 0.3);
  // The file object is not mutated.
  assert.equal(file.innerLr, 0.2);
  throwsField(() => dm.resolveConfig(dm.parseCliFlags([], { innerlr: 0.1 })), 'innerlr', 'innerLr');
  throwsField(() => dm.resolveConfig(dm.parseCliFlags([], { metaBatch: '8' })), 'metaBatch', 'integer');
  throwsField(() => dm.parseCliFlags([], [1, 2] as unknown as object), 'config', 'object');
});

test('JSON with a key given twice is refused (config files and object flags)', () => {
  assert.deepEqual(dm.parseJsonStrict('{"a": {"b": 1, "c": [1, {"b": 2}]}, "b": "x\\"y"}'), { a: { b: 1, c: [1, { b: 2 }] }, b: 'x"y' });
  assert.throws(() => dm.parseJsonStrict('{"metaBatch": 4, "seed": 1, "metaBatch": 40}'), /duplicate key "metaBatch"/);
  assert.throws(() => dm.parseJsonStrict('{"ranges": {"halfLength": 1, "halfLength": 2}}'), /duplicate key "halfLength"/);
  // Same key in sibling objects, or a key-like string value, is fine.
  assert.deepEqual(dm.parseJsonStrict('[{"a": 1}, {"a": 2}, "a"]'), [{ a: 1 }, { a: 2 }, 'a']);
});

test('configHash: the identity of a run, over every field but iterations and workers', () => {
  const a = dm.resolveConfig({ algo: 'fomaml', seed: 3 });
  assert.match(dm.configHash(a), /^[0-9a-f]{16}$/);
  assert.equal(dm.configHash(a), dm.configHash(dm.resolveConfig({ seed: 3, algo: 'fomaml', iterations: 99 })), 'iterations may change on resume');
  assert.equal(dm.configHash(a), dm.configHash(dm.resolveConfig({ seed: 3, algo: 'fomaml', workers: 3 })), 'results are identical for every worker count');
  assert.deepEqual(dm.RESUMABLE_FIELDS, ['iterations', 'workers']);
  for (const change of [{ seed: 4 }, { algo: 'maml' }, { env: 'Intersection-v0' }, { innerLr: 0.05 }, { hidden: [64] }, { ranges: { halfLength: [0.3, 0.7] } }]) {
    assert.notEqual(dm.configHash(dm.resolveConfig({ algo: 'fomaml', seed: 3, ...change })), dm.configHash(a), JSON.stringify(change));
  }
});

test('a value echoed in an error is cut to a readable length', () => {
  const huge = 'a'.repeat(50 * 1024 * 1024);
  for (const fn of [() => dm.resolveConfig({ env: huge }), () => dm.resolveConfig(dm.parseCliFlags(['--algo', huge])), () => dm.parseCliFlags(['--hidden', huge]), () => dm.parseCliFlags([`--${huge}`, '1'])]) {
    assert.throws(fn, (err: Error) => {
      assert.ok(err instanceof dm.ConfigError, String(err));
      assert.ok(err.message.length < 2000, `message of ${err.message.length} characters`);
      return true;
    });
  }
  assert.throws(() => dm.resolveConfig({ env: huge }), /env: got "a{80}…" \(52428800 characters\); allowed/);
});

test("Object.prototype's names are refused as keys everywhere: flags, JSON files, API objects", () => {
  const reserved = /not one of Object\.prototype's/;
  // `--ranges __proto__=1:2` replaced the ranges' prototype and trained one fixed task.
  throwsField(() => dm.parseCliFlags(['--ranges', '__proto__=1:2']), 'ranges.__proto__', "Object.prototype's");
  throwsField(() => dm.parseCliFlags(['--ranges', 'constructor=1:2']), 'ranges.constructor', "Object.prototype's");
  throwsField(() => dm.parseCliFlags(['--medium', 'toString=1']), 'medium.toString', "Object.prototype's");
  throwsField(() => dm.parseCliFlags(['--ranges', '{"__proto__": [1, 2]}']), 'ranges', "Object.prototype's");
  throwsField(() => dm.resolveConfig({ ranges: JSON.parse('{"__proto__": [1, 2]}') }), 'ranges.__proto__', "Object.prototype's");
  throwsField(() => dm.resolveConfig({ algo: 'directed-maml', medium: JSON.parse('{"constructor": 1}') }), 'medium.constructor', "Object.prototype's");
  assert.throws(() => dm.parseJsonStrict('{"a": {"__proto__": {}}}'), (e: Error) => e instanceof SyntaxError && reserved.test(e.message));
  assert.throws(() => dm.parseJsonStrict('{"hasOwnProperty": 1}'), (e: Error) => e instanceof SyntaxError && reserved.test(e.message));
  assert.deepEqual(dm.parseJsonStrict('{"proto": 1, "constructors": 2}'), { proto: 1, constructors: 2 });
});

test('an error echoing bytes from a file or a flag is one printable line (control characters escaped)', () => {
  const e = new dm.ConfigError('ranges.a\nb', 'x\u001b[31mred\u0007\r\n', 'a value; the file said "\u001b[2J\n\u2028"');
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(e.message), JSON.stringify(e.message));
  assert.match(e.message, /^ranges\.a\\nb: got "x\\u001b\[31mred\\u0007\\r\\n"; allowed: a value; the file said "\\u001b\[2J\\n\\u2028"$/);
  // Through the schema: a flag value with an escape sequence.
  throwsField(() => dm.resolveConfig(dm.parseCliFlags(['--env', 'Cart\u001b[2JPole'])), 'env');
  try { dm.resolveConfig(dm.parseCliFlags(['--env', 'Cart\u001b[2JPole'])); } catch (err) { assert.ok(!(err as Error).message.includes('\u001b')); }
});
