// Builds src/ with esbuild: the library for Node/Bun/Deno/bundlers (tfjs stays an external
// dependency, so users and the library share one tfjs instance), the CLI, and a self-contained
// browser bundle (tfjs inside) with the .wasm files it needs beside it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  sourcemap: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { index: 'src/index.ts', node: 'src/node/index.ts', cli: 'src/node/cli.ts' },
  outdir: 'dist',
  platform: 'node',
  splitting: true,
  // bullmq/ioredis: dependencies of the CLI's queue, loaded only by `--queue` and `dmaml worker`.
  external: ['@tensorflow/*', 'bullmq', 'ioredis'],
});

await build({
  ...common,
  // index: the library for pages; worker + demo (+ demo.html, copied below): the Web Worker demo.
  entryPoints: { index: 'src/browser/index.ts', worker: 'src/browser/worker.ts', demo: 'src/browser/demo.ts' },
  outdir: 'dist/browser',
  platform: 'browser',
  external: ['node:*'],
  define: { 'process.env.NODE_ENV': '"production"' },
});

const tfWasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
mkdirSync('dist/browser', { recursive: true });
for (const f of readdirSync(tfWasmDir)) if (f.endsWith('.wasm')) copyFileSync(`${tfWasmDir}/${f}`, `dist/browser/${f}`);
copyFileSync('src/browser/demo.html', 'dist/browser/demo.html');
