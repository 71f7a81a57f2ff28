// Declarations for the package (`types` of `.` and `./node` in package.json): tsc emits .d.ts from
// src/ into dist/types, then every relative specifier gets the extension Node's ESM resolution
// needs (`./init` → `./init.js`, `./core` → `./core/index.js`), so a consumer's compiler reads them
// under `module: NodeNext` as under `moduleResolution: Bundler`; side-effect imports (a tfjs
// backend registering itself) are dropped: they carry no types, but for tfjs's chained ops.
//   node scripts/build-types.mjs   (npm run build:types)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const OUT = 'dist/types';
rmSync(OUT, { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.d.ts')) yield path;
  }
}

let count = 0;
for (const file of files(OUT)) {
  const text = readFileSync(file, 'utf8');
  const fixed = text
    .replace(/^import ['"][^'"]+['"];\n/gm, '')
    .replace(/(\bfrom\s+|\bimport\()(['"])(\.\.?\/[^'"]*)\2/g, (all, lead, quote, spec) => {
      const base = resolve(dirname(file), spec);
      if (existsSync(`${base}.d.ts`)) return `${lead}${quote}${spec}.js${quote}`;
      if (existsSync(join(base, 'index.d.ts'))) return `${lead}${quote}${spec}/index.js${quote}`;
      throw new Error(`${file}: cannot resolve ${spec}`);
    });
  // dm.tf's tensors have tfjs's chained ops (registered at run time with the gradients, see
  // scripts/build.mjs); their declarations are module augmentations of tfjs-core, loaded from here.
  const withChained = file.endsWith(join('core', 'backend.d.ts'))
    ? `import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';\n${fixed}` : fixed;
  if (withChained !== text) writeFileSync(file, withChained);
  count++;
}
console.log(`${OUT}: ${count} declaration files`);
