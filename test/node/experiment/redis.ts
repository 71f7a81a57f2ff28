// Debian's redis-server for the queue tests: a free loopback port, no persistence (nothing written
// outside the test's directory), started and waited for in one place.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from '../helpers';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts redis-server on 127.0.0.1:port with `dir` as its working directory, once it answers PING. */
export async function startRedisServer(port: number, dir: string): Promise<ChildProcess> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error("the queue tests need Debian's redis-server on the PATH (apt-get install redis-server; .ci/run installs it)");
  }
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await waitFor(async () => probe.connect().then(() => probe.ping()).then(() => true, () => false), 'redis-server to answer', 30);
  } finally {
    probe.disconnect();
  }
  return redis;
}
