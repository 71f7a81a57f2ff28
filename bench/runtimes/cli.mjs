// bench/runtimes' job in a server-side runtime (node, bun, deno): prints one JSON line.
//   <runtime> bench/runtimes/cli.mjs [iterations] [seed] [gradEngine]
import * as dm from '../../dist/index.js';
import { trainingJob } from './job.mjs';

// Node's worker threads come with 'directed-maml/node' (Bun and Deno have Web Workers built in), so
// that every runtime runs the tasks on a pool of one worker per core, as `dmaml train` does.
if (typeof Bun === 'undefined' && typeof Deno === 'undefined') await import('../../dist/node.js');

const [iterations = '10', seed = '1', gradEngine] = typeof Deno !== 'undefined' ? Deno.args : process.argv.slice(2);
await dm.init({ backend: 'wasm' });
const result = await trainingJob(dm, { iterations: Number(iterations), seed: Number(seed), gradEngine });
console.log(JSON.stringify(result));
