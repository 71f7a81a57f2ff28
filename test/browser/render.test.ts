// The demo's renderer registry (src/browser/render/): one renderer per registered environment, no
// duplicate, no renderer for an env that does not exist. (The renderers draw in the browser tests,
// test/browser/renderers.browser.ts and flow.browser.ts.) An env added to the library without its
// renderer module fails here: add src/browser/render/<env>.ts and its line in RENDERERS. And the
// page's main thread stays free of the library: its modules import library code for types only.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as dm from 'directed-maml';
import { RENDERERS, rendererFor } from '../../src/browser/render/index';

before(async () => { await dm.init(); });

test('every registered env has exactly one renderer, and every renderer draws a registered env', () => {
  const ids = RENDERERS.map((r) => r.envId);
  assert.deepEqual([...new Set(ids)].sort(), [...ids].sort(), `duplicates in ${ids}`);
  for (const id of ids) assert.ok(dm.envIds().includes(id), `renderer for unknown env ${id}`);
  for (const id of dm.envIds()) assert.equal(rendererFor(id)?.envId, id, `no renderer for ${id}: add src/browser/render/<env>.ts and its line in RENDERERS`);
  // The page asks for its env's renderer by id: an id without one gets none, not another env's.
  assert.equal(rendererFor('NoSuchEnv-v0'), undefined);
});

test('the renderers and the page script import nothing from the library at run time (type imports only)', () => {
  const dir = new URL('../../src/browser/', import.meta.url);
  const files = [...readdirSync(new URL('render/', dir)).map((f) => `render/${f}`), 'demo.ts', 'curve.ts'];
  for (const file of files) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    for (const m of source.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
      const [statement, , typeOnly, from] = m;
      // Within the page: the renderers, the curve, the registry. Anything else (the library, tfjs, the worker's module) only as types.
      const local = from.startsWith('./') && !from.startsWith('./worker');
      assert.ok(local || typeOnly, `${file}: "${statement.replace(/\s+/g, ' ')}" loads ${from} at run time; use import type`);
    }
  }
});
