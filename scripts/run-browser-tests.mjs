// Runs every test/browser/*.browser.ts (each launches its own Chromium) one after the other, then
// prints the total. Each file prints one line per check and its own summary line.
//   node scripts/run-browser-tests.mjs [name-substring …]
import { readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';

const filters = process.argv.slice(2);
const files = readdirSync('test/browser')
  .filter((f) => f.endsWith('.browser.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
  .map((f) => `test/browser/${f}`);
if (files.length === 0) {
  console.error('no browser test matched');
  process.exit(1);
}
let passed = 0, failed = 0;
for (const file of files) {
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      last = (last + chunk).split('\n').slice(-3).join('\n');
      const m = /: (\d+) passed, (\d+) failed\s*$/.exec(last.trim());
      if (m) child.summary = [Number(m[1]), Number(m[2])];
    });
    child.on('close', (status) => {
      const [p, f] = child.summary ?? [0, 1];
      passed += p;
      failed += f + (status !== 0 && f === 0 ? 1 : 0);
      resolve(status);
    });
  });
  if (code !== 0) console.log(`${file} exited with ${code}`);
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
