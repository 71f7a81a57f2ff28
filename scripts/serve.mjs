// Serves dist/browser (the browser bundle, the Web Worker demo and the tfjs .wasm files) on
// 127.0.0.1 for `npm run demo:browser`, and prints the demo's URL. Static files only; `.wasm` must
// be application/wasm for WebAssembly.instantiateStreaming and `.js` text/javascript for modules.
//   node scripts/serve.mjs [--port N] [--dir DIR]     (port 0 = any free port; default 8080)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const root = resolve(option('dir', 'dist/browser'));
const port = Number(option('port', process.env.PORT ?? '8080'));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`port: got ${JSON.stringify(option('port', process.env.PORT))}; allowed: an integer in [0, 65535]`);
  process.exit(1);
}
if (!existsSync(join(root, 'demo.html'))) {
  console.error(`dir: ${root} has no demo.html; allowed: a built dist/browser (run npm run build)`);
  process.exit(1);
}

const server = createServer(async (req, res) => {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (path === '/') {
    res.writeHead(302, { location: '/demo.html' }).end();
    return;
  }
  const file = normalize(join(root, path));
  const type = CONTENT_TYPES[extname(file)];
  // Refuse anything outside root (../) and any type not listed.
  if (!file.startsWith(root + sep) || !type) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' }).end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
});

server.on('error', (err) => {
  const hint = err.code === 'EADDRINUSE' ? ` (port ${port} is taken: --port 0 picks a free one)` : '';
  console.error(`serve: ${err.message}${hint}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`directed-maml browser demo: http://127.0.0.1:${server.address().port}/demo.html  (serving ${root}; Ctrl-C stops)`);
});
