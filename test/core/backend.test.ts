// backend 'webgl': the config accepts it (a config file is portable to a page), and in Node both
// the API and the CLI refuse it with one line saying it is browser-only, leaving tfjs as it was and
// writing nothing. (That webgl works in a page is test/browser/webgl.browser.ts.)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

test("the config schema accepts backend 'webgl'", () => {
  assert.equal(dm.resolveConfig({ backend: 'webgl' }).backend, 'webgl');
  assert.match(dm.configHelp(), /--backend[^\n]*\n[^\n]*wasm \| cpu \| webgl/);
});

test("dm.init({ backend: 'webgl' }) in Node: one ConfigError saying browser-only; tfjs stays on wasm", async () => {
  await assert.rejects(dm.init({ backend: 'webgl' }), (err: unknown) => {
    assert.ok(err instanceof dm.ConfigError);
    assert.equal(err.field, 'backend');
    assert.equal(err.message, 'backend: got "webgl"; allowed: wasm | cpu here (webgl is browser-only: a page or a Web Worker)');
    return true;
  });
  assert.equal(dm.tf.getBackend(), 'wasm');
});

test('dmaml train --backend webgl: exit 2, one line, no run directory', async () => {
  const root = await mkdtemp(join(tmpdir(), 'dmaml-webgl-'));
  try {
    const out = join(root, 'run');
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bin/dmaml.js', 'train', '--backend', 'webgl', '--iterations', '1', '--out', out], { timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      });
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'dmaml: backend: got "webgl"; allowed: wasm | cpu here (webgl is browser-only: a page or a Web Worker)\n');
    assert.deepEqual(await readdir(root), [], 'nothing written');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
