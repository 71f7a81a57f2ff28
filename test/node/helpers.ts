// Shared by the CLI tests: run `dmaml` as a user does (node bin/dmaml.js in a child process), take
// byte snapshots of directories, and check the one-line error contract.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'bin', 'dmaml.js');
/** A tiny run: a few hundred env steps per iteration. */
export const SMALL = ['--meta-batch', '2', '--episodes', '2', '--max-steps', '20', '--hidden', '8'];

export interface Run { code: number; stdout: string; stderr: string }

/** `prefix` runs the process through another program (e.g. setpriv as another user). */
export function dmaml(args: string[], options: { prefix?: string[]; cwd?: string; timeoutSeconds?: number } = {}): Promise<Run> {
  const [cmd, ...rest] = [...(options.prefix ?? []), process.execPath, BIN, ...args];
  return new Promise((resolve) => {
    execFile(cmd, rest, { timeout: (options.timeoutSeconds ?? 180) * 1000, maxBuffer: 1 << 26, cwd: options.cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A dmaml process left running (for signals and concurrency). */
export function spawnDmaml(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr })));
  return { child, done };
}

/** Every file under dir with its bytes (base64), or null when dir does not exist. */
export async function snapshot(dir: string): Promise<Record<string, string> | null> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const out: Record<string, string> = {};
  for (const entry of entries.sort()) {
    const path = join(dir, entry);
    if ((await stat(path)).isFile()) out[entry] = (await readFile(path)).toString('base64');
    else out[`${entry}/`] = '';
  }
  return out;
}

/** Exit code `code`, nothing on stdout, exactly one line on stderr starting `dmaml: ` and matching `pattern`. */
export function assertOneLineError(r: Run, pattern: RegExp, what: string, code = 2): void {
  assert.equal(r.code, code, `${what}: exit code ${r.code}, stderr ${r.stderr.slice(0, 2000)}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr.slice(0, 4000)}`);
  assert.ok(lines[0].length < 2000, `${what}: a readable line (${lines[0].length} characters)`);
  assert.match(lines[0], /^dmaml: /, what);
  assert.match(lines[0], pattern, what);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
}

/** The JSON lines of a metrics file. */
export async function metricsLines(dir: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'metrics.jsonl'), 'utf8');
  return text.trimEnd().split('\n').map((l) => JSON.parse(l));
}

/** Resolves when `check` returns true (polled), or fails after `seconds`. */
export async function waitFor(check: () => Promise<boolean>, what: string, seconds = 60): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
