// The demo's renderer registry (src/browser/render/): one renderer per registered environment, no
// duplicate, no renderer for an env that does not exist, a positive step duration. (The renderers
// draw in the browser test, test/browser/flow.browser.ts.) An env added to the library without its
// renderer module fails here: add src/browser/render/<env>.ts and its line in RENDERERS.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { RENDERERS, rendererFor } from '../../src/browser/render/index';

before(async () => { await dm.init(); });

test('every registered env has exactly one renderer, and every renderer draws a registered env', () => {
  const ids = RENDERERS.map((r) => r.envId);
  assert.deepEqual([...new Set(ids)].sort(), [...ids].sort(), `duplicates in ${ids}`);
  for (const id of ids) assert.ok(dm.envIds().includes(id), `renderer for unknown env ${id}`);
  for (const id of dm.envIds()) assert.ok(rendererFor(id), `no renderer for ${id}: add src/browser/render/<env>.ts and its line in RENDERERS`);
  for (const r of RENDERERS) assert.ok(r.stepSeconds > 0 && typeof r.draw === 'function', r.envId);
});
