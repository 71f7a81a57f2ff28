// Run-directory files: atomic writes leave no temporary files, and one that dies half-way leaves
// the old file whole; the file IO handler round-trips a LayersModel through tf.loadLayersModel;
// metrics.jsonl survives a torn last line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, writeFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import * as tfl from '@tensorflow/tfjs';
// Node-only helpers are not in the package's '.' export: imported from source (they hold no
// WASM state, and tfjs resolves to the same instance as the built package's).
import * as node from '../../src/node/store';

let dir: string;
before(async () => {
  await dm.init();
  dir = await mkdtemp(join(tmpdir(), 'dmaml-store-'));
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

test('writeFileAtomic replaces the file and leaves no temporary file; a write into a missing directory throws and leaves nothing', async () => {
  const path = join(dir, 'a.json');
  await writeFile(path, 'old contents that are longer than the new ones');
  await node.writeFileAtomic(path, '{"new":1}');
  assert.equal(await readFile(path, 'utf8'), '{"new":1}');
  await node.writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await readFile(path))], [1, 2, 3]);
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('a.json')), ['a.json']);
  await assert.rejects(node.writeFileAtomic(join(dir, 'missing', 'b.json'), 'x'),
    (err: Error) => err instanceof node.FileError && /^cannot write .*missing\/b\.json: no such file or directory \(ENOENT\)$/.test(err.message));
  assert.deepEqual((await readdir(dir)).sort(), ['a.json']);
});

test('writeFileAtomic: a write that dies half-way (the file-size limit cuts it at 4 KiB) leaves the old file whole, byte for byte, and no temporary file', async () => {
  const faults = await mkdtemp(join(dir, 'fault-'));
  const path = join(faults, 'state.json');
  const old = `${JSON.stringify({ iteration: 2, theta: Array.from({ length: 100 }, (_, i) => i / 7) })}\n`;
  await writeFile(path, old);
  // A child process writes 64 KiB under RLIMIT_FSIZE = 4 KiB (prlimit, util-linux): the kernel
  // stops every write at 4 KiB with EFBIG (Node ignores SIGXFSZ). A plain write over `path` would
  // leave it cut at 4 KiB; the atomic one must leave it as it was. The child also writes a sibling
  // file plainly, to show the limit did cut a write half-way.
  const child = `
    import { writeFileAtomic } from 'directed-maml/node';
    import { writeFile, stat } from 'node:fs/promises';
    const [path, plain] = process.argv.slice(1);
    const data = '{"iteration":3,"theta":[' + '0.125,'.repeat(11000) + '0]}\\n';
    let plainSize = null;
    try { await writeFile(plain, data); } catch { plainSize = (await stat(plain)).size; }
    let message = null;
    try { await writeFileAtomic(path, data); } catch (err) { message = err.message; }
    console.log(JSON.stringify({ bytes: data.length, plainSize, message }));`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile('prlimit', ['--fsize=4096:4096', process.execPath, '--input-type=module', '-e', child, path, join(faults, 'plain.json')], (err, stdout, stderr) => {
      if (err) reject(new Error(`prlimit (util-linux) must run node under a file-size limit: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
  const r = JSON.parse(out) as { bytes: number; plainSize: number | null; message: string | null };
  assert.ok(r.bytes > 16 * 4096, `the new contents (${r.bytes} bytes) are far past the limit`);
  assert.equal(r.plainSize, 4096, 'the limit cuts a plain write at 4096 bytes');
  assert.match(r.message ?? 'no error', /^cannot write .*fault-[^/]+\/state\.json: file too large \(EFBIG\)$/);
  const now = await readFile(path, 'utf8');
  assert.ok(now === old, `state.json as it was (${old.length} bytes); it holds ${now.length} bytes starting ${JSON.stringify(now.slice(0, 30))}`);
  assert.deepEqual((await readdir(faults)).sort(), ['plain.json', 'state.json']);
});

test('fileSaveHandler + fileLoadHandler: tf.loadLayersModel gives the policy logits; old weights are removed', async () => {
  const tf = tfl; // the tfjs umbrella (dev dependency) for tf.loadLayersModel; its tfjs-core is dm.tf
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8, 8], seed: 3 });
  const modelDir = join(dir, 'policy');
  await dm.exportPolicy(policy, node.fileSaveHandler(modelDir));
  const first = (await readdir(modelDir)).sort();
  assert.equal(first.length, 2);
  assert.equal(first[0], 'model.json');
  assert.match(first[1], /^weights-[0-9a-f]{16}\.bin$/);
  // A second save with other weights: model.json names the new file, the old one is gone.
  policy.setFlat(policy.getFlat().map((x: number) => x + 0.25));
  await dm.exportPolicy(policy, node.fileSaveHandler(modelDir));
  const second = (await readdir(modelDir)).sort();
  assert.equal(second.length, 2);
  assert.notEqual(second[1], first[1]);
  const manifest = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')).weightsManifest;
  assert.deepEqual(manifest[0].paths, [second[1]]);

  const model = await tf.loadLayersModel(node.fileLoadHandler(modelDir));
  const obs = tf.tensor2d(dm.uniforms(1, dm.Purpose.TASKS, 5, 0, 40).map((u: number) => 4 * u - 2), [10, 4]);
  const expected = policy.logits(policy.params, obs).dataSync();
  const actual = (model.predict(obs) as dm.tf.Tensor).dataSync();
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i] - actual[i]) <= 1e-6 * Math.max(1, Math.abs(expected[i])), `logit ${i}`);
  model.dispose();
  obs.dispose();
  policy.dispose();
});

test('metrics.jsonl: appended lines read back; a torn last line is dropped; a bad middle line throws', async () => {
  const runDir = await mkdtemp(join(dir, 'run-'));
  assert.deepEqual(await node.readMetrics(runDir), []);
  const m = (i: number) => ({ iteration: i, preReturn: 10 + i, postReturn: 12.5 + i, sampleSeconds: 0.1, gradSeconds: 0.2, seconds: 0.3, envSteps: 100 * i });
  for (let i = 1; i <= 3; i++) await node.appendMetrics(runDir, m(i));
  assert.deepEqual(await node.readMetrics(runDir), [m(1), m(2), m(3)]);
  await appendFile(join(runDir, node.METRICS_FILE), '{"iteration":4,"preRe');
  assert.deepEqual(await node.readMetrics(runDir), [m(1), m(2), m(3)]);
  await node.writeMetrics(runDir, [m(1), m(2)]);
  assert.equal(await readFile(join(runDir, node.METRICS_FILE), 'utf8'), `${JSON.stringify(m(1))}\n${JSON.stringify(m(2))}\n`);
  await writeFile(join(runDir, node.METRICS_FILE), `${JSON.stringify(m(1))}\nnot json\n${JSON.stringify(m(3))}\n`);
  await assert.rejects(node.readMetrics(runDir), /line 2 is not JSON/);
});

test('metrics.jsonl as a file: run ids per line, the torn tail measured, extra fields written; a failed append names the file', async () => {
  const runDir = await mkdtemp(join(dir, 'file-'));
  const m = (i: number) => ({ iteration: i, preReturn: 1, postReturn: 2, sampleSeconds: 0, gradSeconds: 0, seconds: 0, envSteps: i });
  await node.appendMetrics(runDir, m(1), { run: 'abc' });
  await node.appendMetrics(runDir, m(2));
  const whole = (await readFile(join(runDir, node.METRICS_FILE))).length;
  await appendFile(join(runDir, node.METRICS_FILE), '{"iteration":3,"pre');
  const file = await node.readMetricsFile(runDir);
  assert.deepEqual(file.lines, [m(1), m(2)]);
  assert.deepEqual(file.runIds, ['abc', undefined]);
  assert.deepEqual([file.completeBytes, file.totalBytes], [whole, whole + 19]);
  // An append that fails (here: metrics.jsonl is a directory) is a FileError naming the file.
  const broken = await mkdtemp(join(dir, 'broken-'));
  await mkdir(join(broken, node.METRICS_FILE));
  await assert.rejects(node.appendMetrics(broken, m(1)), (err: Error) => err instanceof node.FileError && /metrics\.jsonl: .*\(EISDIR\)$/.test(err.message));
});

test('a read-only file system is reported as EROFS, not ENOENT (Node\'s recursive mkdir says ENOENT for it)', async () => {
  // Node's recursive mkdir answers an error it does not list (EROFS) with the ENOENT of a stat of
  // the path it could not make; a plain mkdir gives the real code. Both are simulated under `ro`
  // (a read-only mount needs privileges a test cannot count on).
  const { syncBuiltinESMExports } = await import('node:module');
  const fsp = (await import('node:fs/promises')).default;
  const ro = join(dir, 'ro');
  await mkdir(ro);
  const real = fsp.mkdir;
  const inRo = (p: unknown) => String(p).startsWith(`${ro}/`);
  const fail = (code: string, p: unknown) => Object.assign(new Error(`${code}: simulated, mkdir '${p}'`), { code });
  fsp.mkdir = (async (p: Parameters<typeof real>[0], options?: Parameters<typeof real>[1]) => {
    if (!inRo(p)) return real(p, options);
    throw fail(typeof options === 'object' && options?.recursive ? 'ENOENT' : 'EROFS', p);
  }) as typeof real;
  syncBuiltinESMExports();
  try {
    const save = node.fileSaveHandler(join(ro, 'a', 'policy')).save!({ modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) });
    await assert.rejects(save, (e: unknown) => e instanceof node.FileError && e.code === 'EROFS' && /read-only|simulated/.test(e.message) && e.path === join(ro, 'a', 'policy'));
  } finally {
    fsp.mkdir = real;
    syncBuiltinESMExports();
  }
  // Without a fault, the missing parents are made.
  await node.makeDir(join(dir, 'p', 'q', 'r'));
  assert.deepEqual(await readdir(join(dir, 'p', 'q')), ['r']);
});
