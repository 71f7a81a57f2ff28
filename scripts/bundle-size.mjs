// What a page of the demo downloads, measured from the build (run `npm run build` first): each
// file's bytes, raw and gzip-compressed (level 9, what a compressing server would send), and for
// the worker bundle where its bytes come from (esbuild's metafile): tfjs, our TypeScript, our WASM
// module (embedded), other dependencies. Prints a markdown table.
//   node scripts/bundle-size.mjs
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const DIR = 'dist/browser';
const meta = JSON.parse(readFileSync('build/browser-meta.json', 'utf8'));
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;

/** Bytes of an output bundle by origin of its inputs. */
function origins(output) {
  const out = { tfjs: 0, ours: 0, wasm: 0, other: 0 };
  for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[output].inputs)) {
    if (input.includes('node_modules/@tensorflow/')) out.tfjs += bytesInOutput;
    else if (input.endsWith('.wasm')) out.wasm += bytesInOutput;
    else if (input.startsWith('src/')) out.ours += bytesInOutput;
    else out.other += bytesInOutput;
  }
  return out;
}

// The demo page fetches demo.html, demo.js, worker.js and one tfjs wasm binary: the SIMD one in
// every current browser (tfjs picks the threaded one only when the page is cross-origin isolated,
// the plain one only without WASM SIMD).
const files = ['demo.html', 'demo.js', 'worker.js', 'tfjs-backend-wasm-simd.wasm'];
let total = 0, totalGz = 0;
console.log('| file | bytes | gzip | what |');
console.log('|---|---|---|---|');
for (const f of files) {
  const path = `${DIR}/${f}`;
  const bytes = statSync(path).size, zipped = gz(path);
  total += bytes;
  totalGz += zipped;
  let what = '';
  if (f === 'worker.js') {
    const o = origins(`${DIR}/worker.js`);
    const glue = bytes - o.tfjs - o.ours - o.wasm - o.other;
    what = `tfjs ${kb(o.tfjs)}, our TypeScript ${kb(o.ours)}, our WASM module (embedded, base64) ${kb(o.wasm)}, other dependencies ${kb(o.other)}, not attributed by the metafile (module wrappers) ${kb(glue)}`;
  } else if (f === 'demo.js') {
    const o = origins(`${DIR}/demo.js`);
    what = `the page script, its panels, the renderers and the curve (tfjs: ${kb(o.tfjs)})`;
  } else if (f.endsWith('.wasm')) what = "tfjs's wasm backend (SIMD build)";
  else what = 'the page';
  console.log(`| \`${f}\` | ${kb(bytes)} | ${kb(zipped)} | ${what} |`);
}
console.log(`| **total** | **${kb(total)}** | **${kb(totalGz)}** | |`);
const lib = origins(`${DIR}/index.js`);
console.log(`\ndist/browser/index.js (the library for pages, tfjs inside): ${kb(statSync(`${DIR}/index.js`).size)}, gzip ${kb(gz(`${DIR}/index.js`))}; tfjs ${kb(lib.tfjs)}, ours ${kb(lib.ours)}, our WASM ${kb(lib.wasm)}, other ${kb(lib.other)}`);
