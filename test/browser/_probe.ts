import { createServer } from 'node:http';
import { readFile, mkdtemp } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
const DIR = '/work/wt/browser/dist/browser/';
const PAGE = `<!doctype html><script type="module">
import * as dm from './index.js';
window.dm = dm; window.ready = true;
</script>`;
const WORKER = `import * as dm from './index.js';
self.onmessage = async (e) => { try { await dm.init({ backend: 'webgl', wasmPaths: new URL('./', import.meta.url).href });
  const t = dm.tf.tidy(() => dm.tf.tensor1d([1,2,3]).square().sum().dataSync()[0]);
  self.postMessage({ ok: true, backend: dm.tf.getBackend(), t, f32: dm.tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'), ver: dm.tf.env().getNumber('WEBGL_VERSION') }); } catch (err) { self.postMessage({ ok: false, err: String(err) }); } };`;
const server = createServer(async (req, res) => {
  const p = new URL(req.url!, 'http://x').pathname;
  if (p === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  if (p === '/w.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(WORKER);
  try { const b = await readFile(join(DIR, p)); res.writeHead(200, { 'content-type': extname(p) === '.wasm' ? 'application/wasm' : 'text/javascript' }).end(b); } catch { res.writeHead(404).end(); }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as any).port}/`;
const ctx = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'p-')), { executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = ctx.pages()[0] ?? await ctx.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e));
await page.goto(url);
await page.waitForFunction(() => (window as any).ready);
const inWorker = await page.evaluate(() => new Promise((resolve) => { const w = new Worker('./w.js', { type: 'module' }); w.onmessage = (e) => resolve(e.data); w.onerror = (e) => resolve(String(e.message)); w.postMessage(1); }));
console.log('worker', inWorker);
const script = process.argv[2];
if (script) {
  const src = await readFile(script, 'utf8');
  const out = await page.evaluate(async (src) => { const f = new (Object.getPrototypeOf(async function () {}).constructor)('dm', src); return f((window as any).dm); }, src);
  console.log(JSON.stringify(out, null, 1));
}
await ctx.close(); server.close();
