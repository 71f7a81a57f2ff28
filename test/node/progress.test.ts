// Progress output: a redrawn line on a terminal; throttled plain lines elsewhere (never a flood).
import { test } from 'node:test';
import assert from 'node:assert/strict';
// Node-only helpers are not in the package's '.' export: imported from source (they hold no
// WASM state, and tfjs resolves to the same instance as the built package's).
import * as node from '../../src/node/progress';

const metric = (iteration: number) =>
  ({ iteration, preReturn: 10 + iteration, postReturn: 20.25 + iteration, sampleSeconds: 0, gradSeconds: 0, seconds: 0, envSteps: 0 });

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => { writes.push(s); return true; } } };
}

test('non-TTY: the first, the last and at most one line per interval, with i/N, returns, s/it and ETA', () => {
  const { writes, stream } = fakeStream(false);
  let clock = 0;
  const bar = new node.ProgressBar(100, { stream, plainIntervalSeconds: 10, now: () => clock });
  for (let i = 1; i <= 100; i++) {
    clock += 0.5; // 0.5 s per iteration → one line per 20 iterations
    bar.update(metric(i));
  }
  bar.finish();
  assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\r') && !w.includes('\x1b')));
  // iterations 1, 21, 41, 61, 81 (each 10 s after the previous line) and 100
  assert.deepEqual(writes.map((w) => Number(/iteration +(\d+)\/100/.exec(w)![1])), [1, 21, 41, 61, 81, 100]);
  assert.match(writes[1], /21\/100  pre 31\.0  post 41\.3  0\.50 s\/it  ETA 0:40/);
  assert.match(writes[5], /ETA 0:00/);
});

test('TTY: one line redrawn in place per iteration, a newline at the end; resume offsets the count', () => {
  const { writes, stream } = fakeStream(true);
  let clock = 0;
  const bar = new node.ProgressBar(10, { stream, start: 4, now: () => clock });
  for (let i = 5; i <= 10; i++) {
    clock += 2;
    bar.update(metric(i));
  }
  bar.finish();
  assert.equal(writes.length, 7);
  assert.ok(writes.slice(0, 6).every((w) => w.startsWith('\r\x1b[2K') && !w.includes('\n')));
  assert.equal(writes[6], '\n');
  // s/it counts only this process's iterations (2 s each); ETA = remaining × s/it.
  assert.match(writes[0], / 5\/10 .* 2\.00 s\/it  ETA 0:10/);
  assert.match(writes[5], /10\/10/);
  assert.ok(writes.every((w) => w.length <= 100 + 5), 'fits the terminal width');
});

test('formatDuration', () => {
  assert.equal(node.formatDuration(0), '0:00');
  assert.equal(node.formatDuration(59.6), '1:00');
  assert.equal(node.formatDuration(3725), '1:02:05');
  assert.equal(node.formatDuration(NaN), '?');
});
