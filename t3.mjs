import * as dm from 'directed-maml';
await dm.init();
const algo = process.argv[2] ?? 'directed-maml';
const tr = new dm.Trainer({ algo, seed: 1 });
const t0 = performance.now();
for await (const m of tr.run(+process.argv[3] || 60)) console.log(algo, m.iteration, m.preReturn.toFixed(1), m.postReturn.toFixed(1), m.seconds.toFixed(2), ((performance.now()-t0)/1000).toFixed(0));
