// Two callers of dm.init in one fresh process, at once (two cells of a queue worker evaluating
// their checkpoints side by side): tfjs names the backend as soon as its initialisation starts, so
// the second caller must still wait for it before its first tensor. Before the fix the second
// init returned early and the tensor threw "Backend 'wasm' has not yet been initialized" (seen on
// a loaded machine as a queued grid's crash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = `
import * as dm from ${JSON.stringify(join(process.cwd(), 'dist', 'index.js'))};
const use = async () => { await dm.init(); return dm.tf.tensor([1, 2, 3]).sum().dataSync()[0]; };
const sums = await Promise.all([use(), use(), use()]);
console.log(JSON.stringify({ sums, backend: dm.tf.getBackend() }));
`;

test('concurrent dm.init() calls each wait for the backend before returning', async () => {
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', SCRIPT], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
  assert.equal(r.code, 0, `the child failed:\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout), { sums: [6, 6, 6], backend: 'wasm' });
});
