// The same workload in Node, Bun and Deno (the npm packages `bun` and `deno`) gives bit-identical
// results on the wasm backend: envs, sampler, WASM gradient and training iterations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const probe = 'test/runtimes/probe.mjs';

function run(command: string, args: string[]): Record<string, unknown> {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `${command} failed: ${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

const node = () => run(process.execPath, [probe]);

for (const [name, args] of [['bun', [probe]], ['deno', ['run', '--allow-read', '--allow-env', probe]]] as const) {
  const binary = `node_modules/.bin/${name}`;
  test(`${name} gives the same results as Node`, () => {
    // A dev dependency (npm ci installs it): missing is a failure, never a skip.
    assert.ok(existsSync(binary), `${binary} is missing: run npm ci (the npm package ${name} is a dev dependency)`);
    const expected = node();
    assert.equal(expected.backend, 'wasm');
    const actual = run(binary, [...args]);
    assert.equal(expected.workers, 1, 'Node: in process');
    assert.equal(actual.workers, 2, `${name}: a pool of 2 Web Workers`);
    assert.equal(actual.goalWorkers, 2, `${name}: the defined env's pool of 2 Web Workers (they import its module)`);
    delete expected.workers;
    delete actual.workers;
    delete expected.goalWorkers;
    delete actual.goalWorkers;
    assert.deepEqual(actual, expected);
  });
}
