// What a user downloads and installs: packs the package as `npm publish` would (run `npm run build`
// first), then installs the tarball into an empty app with npm (this needs the registry, or npm's
// cache: --prefer-offline) and measures its node_modules. Prints the figures the README quotes.
//   node scripts/package-size.mjs [--keep]      (the app is left in the printed directory with --keep)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const keep = process.argv.includes('--keep');
const repo = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'dm-package-size-'));
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const [pack] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], repo));
const tarball = join(work, pack.filename);

/** Bytes of the files under `dir` (apparent sizes, symlinks not followed) and per top-level package. */
function sizes(dir) {
  const perPackage = new Map();
  let total = 0;
  const walk = (path, pkg) => {
    const st = lstatSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) walk(join(path, name), pkg);
    } else {
      total += st.size;
      perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + st.size);
    }
  };
  for (const name of readdirSync(dir)) {
    if (name.startsWith('@')) for (const sub of readdirSync(join(dir, name))) walk(join(dir, name, sub), `${name}/${sub}`);
    else walk(join(dir, name), name);
  }
  return { total, perPackage };
}

const app = join(work, 'app');
execFileSync('mkdir', [app]);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-app', version: '1.0.0', private: true, type: 'module' }));
npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], app);
const { total, perPackage } = sizes(join(app, 'node_modules'));
const du = Number(execFileSync('du', ['-sk', join(app, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]) * 1024;

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
console.log(`tarball: ${(pack.size / 1e3).toFixed(1)} kB packed, ${(pack.unpackedSize / 1e3).toFixed(1)} kB unpacked, ${pack.entryCount} files`);
console.log(`npm i <tarball> into an empty app: ${perPackage.size} packages, ${mb(total)} of files (${mb(du)} on disk, du)`);
console.log('largest packages:');
for (const [name, bytes] of [...perPackage].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${name.padEnd(36)} ${mb(bytes)}`);
if (keep) console.log(`app: ${app}`);
else rmSync(work, { recursive: true, force: true });
