// What the browser tests (and bench/runtimes) share: a static server for dist/browser on 127.0.0.1
// with extra in-memory routes, Debian's Chromium driven headless by playwright-core, and the list of
// things to close at the end. Chromium flags: the ones this machine needs (TOOLCHAIN.md).
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, normalize, sep, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const BUNDLE_DIR = fileURLToPath(new URL('../../dist/browser/', import.meta.url));
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

/** An in-memory page or script served at a path. */
export interface Route { type: string; body: string }

export interface StaticServer {
  server: Server;
  url: string;
  /** Paths asked for and not served. */
  missing: string[];
  /** Bytes served per path (what a page downloaded). */
  served: Map<string, number>;
}

/** Serves `routes` and the files of dist/browser (and of `extraDirs`: URL prefix → directory). */
export function startServer(routes: Record<string, Route> = {}, extraDirs: Record<string, string> = {}): Promise<StaticServer> {
  const missing: string[] = [];
  const served = new Map<string, number>();
  const bundleDir = BUNDLE_DIR.endsWith(sep) ? BUNDLE_DIR : BUNDLE_DIR + sep;
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const route = routes[path];
    if (route) {
      served.set(path, (served.get(path) ?? 0) + Buffer.byteLength(route.body));
      res.writeHead(200, { 'content-type': route.type }).end(route.body);
      return;
    }
    const prefix = Object.keys(extraDirs).find((p) => path.startsWith(p));
    const root = prefix ? (extraDirs[prefix].endsWith(sep) ? extraDirs[prefix] : extraDirs[prefix] + sep) : bundleDir;
    const file = normalize(join(root, prefix ? path.slice(prefix.length) : path));
    const type = CONTENT_TYPES[extname(file)];
    if (!file.startsWith(root) || !type) {
      missing.push(path);
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      served.set(path, (served.get(path) ?? 0) + body.length);
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' }).end(body);
    } catch {
      missing.push(path);
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, missing, served }));
  });
}

/** Checks the build and Chromium are there, then launches it headless with a persistent profile. */
export async function launchChromium(profile: string, options: { downloadsPath?: string } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(join(BUNDLE_DIR, 'index.js'))) throw new Error(`${BUNDLE_DIR}index.js is missing: npm run build`);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true,
    ...(options.downloadsPath ? { downloadsPath: options.downloadsPath } : {}),
  });
}

/** What must be closed at the end, in order (the browser first). */
export class Resources {
  private closers: (() => Promise<unknown>)[] = [];
  add(closer: () => Promise<unknown>, options: { first?: boolean } = {}): void {
    if (options.first) this.closers.unshift(closer); else this.closers.push(closer);
  }
  /** Closes everything added so far; can run again for what was added since. */
  async close(): Promise<void> {
    for (const closer of this.closers.splice(0)) {
      await Promise.race([closer(), new Promise((resolve) => setTimeout(resolve, 10_000))]).catch(() => {});
    }
  }
}

export interface Check { name: string; ok: boolean; detail: string }
export type Recorder = (name: string, ok: boolean, detail: string) => void;

/** Collects errors a page reports (uncaught exceptions and console.error), from its workers too. */
export function collectErrors(page: import('playwright-core').Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('worker', (worker) => worker.on('console', (msg) => { if (msg.type() === 'error') errors.push(`worker: ${msg.text()}`); }));
  return errors;
}

/**
 * Runs `body` with a timeout, prints one line per check and the summary line, closes everything
 * (browser, server, profile) in every case, and returns the exit code.
 */
export async function runChecks(title: string, timeoutMs: number, body: (record: Recorder, resources: Resources) => Promise<void>): Promise<number> {
  const checks: Check[] = [];
  const resources = new Resources();
  const record: Recorder = (name, ok, detail) => {
    checks.push({ name, ok, detail });
    console.log(`${title}: ${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
  };
  let fatal: unknown = null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const running = body(record, resources);
  try {
    await Promise.race([running, timeout]);
  } catch (err) {
    fatal = err;
  } finally {
    clearTimeout(timer);
    await resources.close();
    // After a timeout, body() may still be starting something: let it fail against the closed
    // resources (bounded), then close what it added meanwhile.
    await Promise.race([running.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 20_000))]);
    await resources.close();
  }
  if (fatal) console.log(`${title}: FAIL ${fatal instanceof Error ? fatal.stack ?? fatal.message : String(fatal)}`);
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed + (fatal ? 1 : 0);
  console.log(`${title}: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

/** A training run as the demo page's form takes it; fields left out keep the page's values. */
export interface DemoForm {
  env: string; algo?: string; backend?: string; hidden?: readonly number[];
  iterations: number; metaBatch: number; episodes: number; seed: number;
}

/** Fills the demo page's training form (the env first: choosing one sets the page's starting values) and presses Start. */
export async function startDemoRun(page: Page, run: DemoForm): Promise<void> {
  await page.selectOption('#env', run.env);
  if (run.algo !== undefined) await page.selectOption('#algo', run.algo);
  if (run.backend !== undefined) await page.selectOption('#backend', run.backend);
  if (run.hidden !== undefined) await page.fill('#hidden', run.hidden.join(','));
  await page.fill('#iterations', String(run.iterations));
  await page.fill('#meta-batch', String(run.metaBatch));
  await page.fill('#episodes', String(run.episodes));
  await page.fill('#seed', String(run.seed));
  await page.click('#start');
}
