// Builds src/ with esbuild: the library for Node/Bun/Deno/bundlers (tfjs stays an external
// dependency, so users and the library share one tfjs instance), the CLI, and a self-contained
// browser bundle (tfjs inside, minified) with the .wasm files it needs beside it. dist/ is emptied
// first, so no stale chunk of an earlier build is left to be packed.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

// tfjs stays external (one instance, the app's), except tfjs-core's register_all_gradients: the
// gradients registered by the @tensorflow/tfjs umbrella and tfjs-layers but not by tfjs-core. Its
// ES modules import without extensions, which Node cannot load, so it is inlined (as tfjs's own
// Node bundles inline it); the registries it writes to are tfjs's global ones.
const tfjsExternal = {
  name: 'tfjs-external',
  setup(b) {
    b.onResolve({ filter: /^(@tensorflow\/|bullmq$|ioredis$)/ }, (args) => (args.path.startsWith('@tensorflow/tfjs-core/dist/') ? undefined : { path: args.path, external: true }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  // Maps for local debugging without a sourceMappingURL comment; the package ships neither.
  sourcemap: 'external',
  logLevel: 'warning',
};

await build({
  ...common,
  // pool-worker-node: a worker_threads pool worker; pool-worker: a Web Worker one (Deno, Bun).
  entryPoints: { index: 'src/index.ts', node: 'src/node/index.ts', cli: 'src/node/cli.ts',
    'pool-worker-node': 'src/node/pool-worker.ts', 'pool-worker': 'src/browser/pool-worker.ts' },
  outdir: 'dist',
  platform: 'node',
  splitting: true,
  // bullmq/ioredis: optional peers of the CLI's queue, loaded only by `--queue` and `dmaml worker`.
  plugins: [tfjsExternal],
});

const browser = await build({
  ...common,
  // index: the library for pages; worker + demo (+ demo.html, copied below): the Web Worker demo;
  // pool-worker: the threads of the trainer's worker pool (started by the demo's worker).
  entryPoints: { index: 'src/browser/index.ts', worker: 'src/browser/worker.ts', demo: 'src/browser/demo.ts', 'pool-worker': 'src/browser/pool-worker.ts' },
  outdir: 'dist/browser',
  platform: 'browser',
  external: ['node:*'],
  define: { 'process.env.NODE_ENV': '"production"' },
  // What a page downloads: minified, 2.9 MB → 1.4 MB for the worker (measured).
  minify: true,
  metafile: true,
});
// Where the browser bundles' bytes come from (scripts/bundle-size.mjs reads it).
mkdirSync('build', { recursive: true });
writeFileSync('build/browser-meta.json', JSON.stringify(browser.metafile));

const tfWasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
mkdirSync('dist/browser', { recursive: true });
for (const f of readdirSync(tfWasmDir)) if (f.endsWith('.wasm')) copyFileSync(`${tfWasmDir}/${f}`, `dist/browser/${f}`);
copyFileSync('src/browser/demo.html', 'dist/browser/demo.html');
