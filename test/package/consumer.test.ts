// The package as a user gets it: `npm pack` (what `npm publish` would ship; run `npm run build`
// first), unpacked into an empty app's node_modules next to the packages npm would install with it
// (its dependencies and non-optional peers, taken from this project's node_modules: no network, and
// deliberately not bullmq/ioredis, the optional peers). Then:
// 1. the README's examples (extracted from README.md: the Node one and the page one) type-check
//    against the shipped .d.ts with `strict` + `noUncheckedIndexedAccess` and `skipLibCheck: false`,
//    under `module: NodeNext` and under `moduleResolution: Bundler`, with and without the DOM lib.
//    Without DOM, tfjs-core 4.22's own declarations fail (they name HTMLImageElement, ImageData,
//    WebGLRenderingContext…, and @webgpu/types, which tfjs-core depends on, needs DOM types): those
//    errors are listed and allowed, and only there — ours and the consumer's must be none. A file
//    that misuses our types must fail (the declarations are not `any`).
// 2. the README's Node example runs as written (budgets shrunk: metaBatch, episodes, iterations)
//    and prints what it computes; `dmaml` runs from the package, and `--queue` without bullmq is
//    one line naming `npm i bullmq ioredis`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = process.cwd();
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
let work: string;
let app: string;

/** The code block after `<!-- example: NAME -->` in README.md. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- example: ${name} -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  assert.ok(m, `README.md has a \`\`\`ts block after <!-- example: ${name} -->`);
  return `${m[1]}\n`;
}

/** Links `name` and, transitively, what it needs at run time, from this project's node_modules into the app's. */
function linkClosure(name: string, seen = new Set<string>()): void {
  if (seen.has(name)) return;
  seen.add(name);
  const from = join(REPO, 'node_modules', name);
  assert.ok(existsSync(from), `${name} is in this project's node_modules (npm ci)`);
  const to = join(app, 'node_modules', name);
  if (!existsSync(to)) {
    mkdirSync(resolve(to, '..'), { recursive: true });
    symlinkSync(from, to, 'dir');
  }
  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  // A nested copy (node_modules/<name>/node_modules/<dep>) comes along with the link.
  for (const dep of Object.keys(pkg.dependencies ?? {})) if (!existsSync(join(from, 'node_modules', dep))) linkClosure(dep, seen);
}

/**
 * `npm pack` of the repository into `dir` (its --json report), with the user's npm: the PATH's,
 * less every node_modules/.bin (as-pect's dependencies put an npm 6 there, and `npm test` runs its
 * nested scripts with it; npm 6's pack has no --pack-destination).
 */
function packInto(dir: string): string {
  const PATH = (process.env.PATH ?? '').split(':').filter((entry) => !/node_modules[\\/]\.bin/.test(entry)).join(':');
  return execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir],
    { cwd: REPO, env: { ...process.env, PATH }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

before(() => {
  assert.ok(existsSync(join(REPO, 'dist', 'types', 'index.d.ts')), 'dist/types is built (npm run build)');
  work = mkdtempSync(join(tmpdir(), 'dm-consumer-'));
  const [pack] = JSON.parse(packInto(work)) as { filename: string; files: { path: string }[] }[];
  const paths = pack!.files.map((f) => f.path);
  assert.ok(!paths.some((p) => p.endsWith('.map') || p.includes('debug.wasm') || p.startsWith('src/')), `no source maps, debug build or sources in the tarball: ${paths.join(' ')}`);
  app = join(work, 'app');
  const installed = join(app, 'node_modules', 'directed-maml');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, pack!.filename), '-C', installed, '--strip-components', '1']);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>; peerDependencies: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  const required = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies).filter((p) => !manifest.peerDependenciesMeta?.[p]?.optional)];
  assert.ok(!required.includes('@tensorflow/tfjs') && !required.includes('bullmq') && !required.includes('ioredis'), `lean: ${required.join(', ')}`);
  const seen = new Set<string>();
  for (const dep of [...required, '@types/node']) linkClosure(dep, seen);
  writeFileSync(join(app, 'node.ts'), readmeExample('node'));
  writeFileSync(join(app, 'page.ts'), readmeExample('page'));
  writeFileSync(join(app, 'misuse.ts'), "import * as dm from 'directed-maml';\nexport const n: number = dm.taskFamily('CartPole-v1').paramNames;\n");
  // dm.tf is tfjs-core with the chained ops the umbrella has (tensor.square()): typed and present.
  writeFileSync(join(app, 'chained.ts'), "import * as dm from 'directed-maml';\nawait dm.init({ backend: 'cpu' });\nconst t = dm.tf.tensor1d([1, 2]).square().toFloat();\nconsole.log(`chained: ${Array.from(t.dataSync()).join(',')}`);\n");
});
after(() => { rmSync(work, { recursive: true, force: true }); });

interface Diagnostic { file: string; code: string; text: string }

function tsc(name: string, options: Record<string, unknown>, files: string[]): Promise<Diagnostic[]> {
  const config = {
    compilerOptions: { target: 'ES2022', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false, noEmit: true, ...options },
    files,
  };
  writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
  return new Promise((done) => {
    execFile(process.execPath, [TSC, '-p', `tsconfig.${name}.json`, '--pretty', 'false'], { cwd: app, maxBuffer: 1 << 24 }, (_err, stdout) => {
      const diagnostics = stdout.split('\n').flatMap((line) => {
        const m = /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/.exec(line);
        return m ? [{ file: m[1]!, code: m[2]!, text: line }] : [];
      });
      done(diagnostics);
    });
  });
}

/** tfjs-core's declarations and the typings tfjs depends on (@webgpu/types, @types/offscreencanvas, @types/emscripten: global, so always loaded) need the DOM lib. */
const TFJS_NEEDS_DOM = /node_modules\/(@tensorflow\/tfjs-core|@webgpu\/types|@types\/offscreencanvas|@types\/emscripten)\//;

const NODENEXT = { module: 'NodeNext', moduleResolution: 'NodeNext' };
const BUNDLER = { module: 'ESNext', moduleResolution: 'Bundler' };

test('the README examples type-check against the packed .d.ts: NodeNext and Bundler, strict + noUncheckedIndexedAccess, skipLibCheck false', async () => {
  const runs = [
    // misuse.ts: one error expected (the declared types are not any).
    { name: 'nodenext-dom', options: { ...NODENEXT, lib: ['ES2022', 'DOM'] }, files: ['node.ts', 'page.ts', 'misuse.ts', 'chained.ts'], domless: false },
    { name: 'bundler-dom', options: { ...BUNDLER, lib: ['ES2022', 'DOM'] }, files: ['node.ts', 'page.ts'], domless: false },
    { name: 'nodenext-nodom', options: { ...NODENEXT, lib: ['ES2022'] }, files: ['node.ts'], domless: true },
    { name: 'bundler-nodom', options: { ...BUNDLER, lib: ['ES2022'] }, files: ['node.ts'], domless: true },
  ];
  const report: string[] = [];
  for (const run of runs) {
    const diagnostics = await tsc(run.name, run.options, run.files);
    const misuse = diagnostics.filter((d) => d.file === 'misuse.ts');
    if (run.files.includes('misuse.ts')) assert.deepEqual(misuse.map((d) => d.code), ['TS2322'], `${run.name}: misusing the declared types is an error`);
    const ours = diagnostics.filter((d) => d.file !== 'misuse.ts' && !(run.domless && TFJS_NEEDS_DOM.test(d.file)));
    assert.deepEqual(ours.map((d) => d.text), [], `${run.name}: no errors in the consumer or in directed-maml's declarations`);
    if (run.domless) {
      // The allowance is tfjs's: it must be there (else drop it), and only there.
      assert.ok(diagnostics.length > 0, `${run.name}: tfjs-core's declarations fail without DOM (if this changed, drop the allowance)`);
      report.push(`${run.name}: ${diagnostics.length} errors, all in tfjs's own typings (${[...new Set(diagnostics.map((d) => d.file.replace(/^.*node_modules\//, '')))].join(', ')})`);
    }
  }
  console.log(report.join('\n'));
});

function run(args: string[], timeoutSeconds: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: app, timeout: timeoutSeconds * 1000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stdout, stderr });
    });
  });
}

test("the README's Node example runs as written (tiny budgets) and prints what it computes", async () => {
  const code = readmeExample('node').replace(/\b20\b/g, '2').replace('trainer.run(30)', 'trainer.run(2)');
  assert.notEqual(code, readmeExample('node'), 'the budgets were found and shrunk');
  writeFileSync(join(app, 'example.mjs'), code);
  const { code: exit, stdout, stderr } = await run(['example.mjs'], 600);
  assert.equal(exit, 0, stderr);
  assert.match(stdout, /^iteration 1: return \d+\.\d before adaptation, \d+\.\d after one step$/m);
  assert.match(stdout, /^iteration 2: /m);
  assert.match(stdout, /^halfLength 0\.7, mean return after 0\.\.3 adaptation steps: (\d+\.\d, ){3}\d+\.\d$/m);
  assert.match(stdout, /^loaded CartPole-v1 \(halfLength ∈ \[0\.25, 0\.75\]\): mean return after 0\.\.3 steps: (\d+\.\d, ){3}\d+\.\d$/m);
  assert.ok(existsSync(join(app, 'cartpole-policy', 'model.json')));
});

test("dm.tf's tensors have tfjs's chained ops at run time", async () => {
  writeFileSync(join(app, 'chained.mjs'), readFileSync(join(app, 'chained.ts'), 'utf8'));
  const r = await run(['chained.mjs'], 120);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^chained: 1,4$/m);
});

test('dmaml runs from the package; --queue without bullmq/ioredis is one line naming npm i bullmq ioredis', async () => {
  const bin = join('node_modules', 'directed-maml', 'bin', 'dmaml.js');
  const help = await run([bin, '--help'], 120);
  assert.equal(help.code, 0, help.stderr);
  const worker = await run([bin, 'worker', '--queue', 'redis://127.0.0.1:1'], 120);
  assert.equal(worker.code, 2);
  assert.equal(worker.stderr.trim().split('\n').length, 1, worker.stderr);
  assert.match(worker.stderr, /npm i bullmq ioredis/);
});
