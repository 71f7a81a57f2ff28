// Run directories as users (and their machines) treat them, through the CLI in child processes and
// real files: one writer at a time (two trains on one --out, a resume of a running run, a stale lock
// raced for by several processes), files of another run, a crash before the first checkpoint,
// SIGTERM, a read-only directory (as an unprivileged process), a full disk (a small tmpfs). Each case
// checks the exit code, the one line, and the bytes of every file before and after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as node from 'directed-maml/node';
import { BIN, SMALL, dmaml, spawnDmaml, snapshot, assertOneLineError, metricsLines, waitFor } from './helpers';

let root: string;
let base: string; // a finished 2-iteration run (SMALL, seed 5)
let other: string; // another run (fomaml, seed 6)
let wide: string; // a run whose state.json is large (hidden 64,64): for the full disk
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-rundir-'));
  base = join(root, 'base');
  other = join(root, 'other');
  wide = join(root, 'wide');
  const runs = await Promise.all([
    dmaml(['train', '--out', base, '--iterations', '2', ...SMALL, '--seed', '5']),
    dmaml(['train', '--out', other, '--iterations', '2', ...SMALL, '--seed', '6', '--algo', 'fomaml']),
    dmaml(['train', '--out', wide, '--iterations', '2', '--meta-batch', '2', '--episodes', '2', '--max-steps', '20', '--hidden', '64,64']),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

const copyOf = async (dir: string, name: string) => {
  const to = join(root, name);
  await cp(dir, to, { recursive: true });
  return to;
};
const LINEAR = ['--meta-batch', '2', '--episodes', '2', '--max-steps', '20', '--hidden', 'none'];

test('one writer: a second train and a resume of a running run are refused naming it; SIGTERM stops after an iteration with a resume command that pastes back', async () => {
  const dir = join(root, "it's a run"); // a space and a quote: the printed command must quote them
  const a = spawnDmaml(['train', '--out', dir, '--iterations', '100000', ...LINEAR]);
  try {
    await waitFor(async () => existsSync(join(dir, 'metrics.jsonl')) && (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).includes('\n'), 'the first iteration');
    const [again, resume] = await Promise.all([
      dmaml(['train', '--out', dir, '--iterations', '100000', ...LINEAR], { timeoutSeconds: 60 }),
      dmaml(['train', '--resume', dir, '--iterations', '100001'], { timeoutSeconds: 60 }),
    ]);
    assertOneLineError(again, /--out: got ".*it's a run"; allowed: a directory without a run in it \(it holds a run of this same config: continue it with --resume '.*it'\\''s a run'/, 'train --out on a running run');
    assertOneLineError(resume, new RegExp(`--resume: got ".*it's a run"; allowed: a directory with no other writer \\(it is being written by pid ${a.child.pid} on ${hostname()} \\(dmaml train --out .*, since .*\\), which holds .*run\\.lock; wait for it to finish or stop it\\)`), 'resume of a running run');
  } catch (err) {
    a.child.kill('SIGKILL'); // a failed check must not leave a 100000-iteration run behind
    throw err;
  }
  a.child.kill('SIGTERM');
  const stopped = await a.done;
  assert.equal(stopped.code, 143, stopped.stderr);
  assert.match(stopped.stderr, /stopping after this iteration \(SIGTERM again to quit now\)/);
  const lines = await metricsLines(dir);
  const n = lines.length;
  assert.deepEqual(lines.map((m) => m.iteration), Array.from({ length: n }, (_, i) => i + 1), 'one writer: iterations 1..n');
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
  assert.equal(state.payload.iteration, n, 'the last iteration is committed');
  assert.ok(!existsSync(join(dir, 'run.lock')), 'the lock is released');
  const cont = /^continue: (dmaml train --resume .*)$/m.exec(stopped.stdout)?.[1];
  assert.equal(cont, `dmaml train --resume '${dir.replace(/'/g, `'\\''`)}'`);
  // Pasted into a shell as printed (with one more iteration asked for).
  const pasted = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile('sh', ['-c', `${cont!.replace(/^dmaml/, `"${process.execPath}" "${BIN}"`)} --iterations ${n + 1}`], (err, _out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stderr }));
  });
  assert.equal(pasted.code, 0, pasted.stderr);
  assert.deepEqual((await metricsLines(dir)).map((m) => m.iteration), Array.from({ length: n + 1 }, (_, i) => i + 1));
});

test('two trains started together on one --out: one runs, the other is refused in one line; the metrics are 1..n', async () => {
  const dir = join(root, 'together');
  const runs = await Promise.all([0, 1].map(() => dmaml(['train', '--out', dir, '--iterations', '3', ...SMALL])));
  const ok = runs.filter((r) => r.code === 0);
  assert.equal(ok.length, 1, runs.map((r) => r.stderr).join('\n'));
  const refused = runs.find((r) => r.code !== 0)!;
  assertOneLineError(refused, /--out: got ".*together"; allowed: a directory (with no other writer \(it is being written by pid \d+|without a run in it \(it holds a run of this same config)/, 'the second train');
  const lines = await metricsLines(dir);
  assert.deepEqual(lines.map((m) => m.iteration), [1, 2, 3]);
  assert.equal(new Set(lines.map((m) => m.run)).size, 1);
  assert.deepEqual((await readdir(dir)).sort(), ['curve.svg', 'metrics.jsonl', 'policy', 'run.json', 'state.json']);
});

/** A pid that no process has: one of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

test('a stale lock (its process gone) is taken over by exactly one of eight processes racing for it', async () => {
  const dir = join(root, 'stale');
  await mkdir(dir);
  const stale = { pid: await deadPid(), hostname: hostname(), startedAt: new Date(0).toISOString(), command: 'a killed dmaml', nonce: '0123456789abcdef' };
  await writeFile(join(dir, 'run.lock'), JSON.stringify(stale));
  // A temporary file of the dead writer, left by a crash mid-write: removed by the next writer.
  await writeFile(join(dir, `state.json.tmp-${stale.pid}-abc123`), 'half a state');
  const go = join(root, 'go');
  // Each contender waits for `go`, takes the lock, holds it 1.5 s (so every other attempt meets it), releases it.
  const script = `
    import { acquireRunLock } from 'directed-maml/node';
    import { existsSync } from 'node:fs';
    const [dir, go] = process.argv.slice(1);
    console.log('ready');
    while (!existsSync(go)) await new Promise((r) => setTimeout(r, 2));
    try {
      const lock = await acquireRunLock(dir, { command: 'contender', flag: 'dir' });
      console.log(JSON.stringify({ won: true, pid: process.pid }));
      await new Promise((r) => setTimeout(r, 1500));
      lock.release();
    } catch (err) {
      console.log(JSON.stringify({ won: false, pid: process.pid, message: err.message }));
    }`;
  const contenders = Array.from({ length: 8 }, () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir, go], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const ready = new Promise<void>((resolve) => child.stdout!.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); }));
    const done = new Promise<{ won: boolean; pid: number; message?: string }>((resolve) => child.on('close', () => resolve(JSON.parse(out.trim().split('\n').pop()!))));
    return { ready, done };
  });
  await Promise.all(contenders.map((c) => c.ready));
  await writeFile(go, '');
  const results = await Promise.all(contenders.map((c) => c.done));
  const winners = results.filter((r) => r.won);
  assert.equal(winners.length, 1, JSON.stringify(results, null, 1));
  for (const r of results.filter((x) => !x.won)) {
    assert.match(r.message!, new RegExp(`dir: got ".*stale"; allowed: a directory with no other writer \\(it is being written by pid ${winners[0].pid} on ${hostname()} \\(contender`));
  }
  // Released, and nothing of the dead writer, the take-over or the contenders is left.
  assert.deepEqual(await readdir(dir), []);
});

test('a lock whose process is a zombie (killed, not yet reaped by its parent) is stale and taken over', async () => {
  const dir = join(root, 'zombie');
  await mkdir(dir);
  // sh starts the holder and waits for it; with sh stopped, the killed holder stays a zombie.
  const holder = `import { acquireRunLock } from 'directed-maml/node'; await acquireRunLock(process.argv[1], { command: 'holder', flag: 'dir' }); console.log('locked'); setInterval(() => {}, 1000);`;
  const sh = spawn('sh', ['-c', '"$0" --input-type=module -e "$1" "$2" & echo "pid $!"; wait', process.execPath, holder, dir], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  sh.stdout!.on('data', (d) => { out += d; });
  try {
    await waitFor(async () => /pid \d+/.test(out) && out.includes('locked'), 'the holder to take the lock');
    const pid = Number(/pid (\d+)/.exec(out)![1]);
    assert.equal(JSON.parse(await readFile(join(dir, 'run.lock'), 'utf8')).pid, pid);
    process.kill(sh.pid!, 'SIGSTOP');
    process.kill(pid, 'SIGKILL');
    const state = async () => { const s = await readFile(`/proc/${pid}/stat`, 'utf8'); return s.slice(s.lastIndexOf(')') + 2).split(' ')[0]; };
    await waitFor(async () => (await state()) === 'Z', 'the holder to be a zombie');
    const lock = await node.acquireRunLock(dir, { command: 'next', flag: 'dir' });
    assert.equal(lock.info.pid, process.pid);
    assert.equal(await state(), 'Z', 'taken over while the holder was still a zombie');
    lock.release();
    assert.deepEqual(await readdir(dir), []);
  } finally {
    sh.kill('SIGKILL');
  }
});

test('locks that cannot be judged are refused, and release removes only its own lock', async () => {
  const dir = join(root, 'locks');
  await mkdir(dir);
  const lockPath = join(dir, 'run.lock');
  const elsewhere = { pid: 1, hostname: 'another-host', startedAt: '2024-01-01T00:00:00.000Z', command: 'dmaml train --out x', nonce: 'fedcba9876543210' };
  await writeFile(lockPath, JSON.stringify(elsewhere));
  await assert.rejects(node.acquireRunLock(dir, { command: 'test', flag: '--resume' }),
    /--resume: got ".*locks"; allowed: a directory with no other writer \(it is being written by pid 1 on another-host \(dmaml train --out x, since 2024-01-01T00:00:00.000Z\), which holds .*run\.lock; if that process is gone, delete .*run\.lock\)/);
  await writeFile(lockPath, 'not a lock');
  await assert.rejects(node.acquireRunLock(dir, { command: 'test' }), /dir: got ".*locks"; allowed: a directory with no other writer \(.*run\.lock is not a lock written by dmaml: "not a lock"; if no dmaml process uses the directory, delete it\)/);
  await rm(lockPath);
  // This process holds it: a second acquire (another run in the same process) is refused.
  const lock = await node.acquireRunLock(dir, { command: 'first' });
  await assert.rejects(node.acquireRunLock(dir, { command: 'second' }), new RegExp(`being written by pid ${process.pid} `));
  // A lock that is no longer ours (replaced by hand) is not removed by our release.
  const theirs = JSON.stringify({ ...lock.info, nonce: 'ffffffffffffffff' });
  await writeFile(lockPath, theirs);
  lock.release();
  assert.equal(await readFile(lockPath, 'utf8'), theirs);
});

test("files of another run, or metrics out of order: --resume refuses each in one line, files untouched; a crash before the first checkpoint resumes", async () => {
  const foreignState = await copyOf(base, 'foreign-state');
  await cp(join(other, 'state.json'), join(foreignState, 'state.json'));
  const foreignMetrics = await copyOf(base, 'foreign-metrics');
  await cp(join(other, 'metrics.jsonl'), join(foreignMetrics, 'metrics.jsonl'));
  const foreignPolicy = await copyOf(base, 'foreign-policy');
  await rm(join(foreignPolicy, 'policy'), { recursive: true });
  await cp(join(other, 'policy'), join(foreignPolicy, 'policy'), { recursive: true });
  const outOfOrder = await copyOf(base, 'out-of-order');
  const [l1, l2] = (await readFile(join(base, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n');
  await writeFile(join(outOfOrder, 'metrics.jsonl'), `${l1}\n${l1}\n${l2}\n`);
  const noRunFile = join(root, 'metrics-only');
  await mkdir(noRunFile);
  await cp(join(base, 'metrics.jsonl'), join(noRunFile, 'metrics.jsonl'));
  const cases: Array<[string, RegExp]> = [
    [foreignState, /--resume: got ".*foreign-state\/state\.json"; allowed: the checkpoint of this run \(CartPole-v1, directed-maml, seed 5, config ([0-9a-f]{16})\); it belongs to another run \(CartPole-v1, fomaml, seed 6, config [0-9a-f]{16}\)/],
    [foreignMetrics, /--resume: got ".*foreign-metrics\/metrics\.jsonl"; allowed: the metrics of this run \(config [0-9a-f]{16}\); line 1 belongs to another run \(config [0-9a-f]{16}\)/],
    [foreignPolicy, /--resume: got ".*foreign-policy\/policy\/model\.json"; allowed: the policy of this run \(config [0-9a-f]{16}\); it belongs to another run/],
    [outOfOrder, /--resume: got ".*out-of-order\/metrics\.jsonl"; allowed: iterations 1\.\.n in order; line 2 holds iteration 1/],
    [noRunFile, /--resume: got ".*metrics-only"; allowed: a run directory written by dmaml train, holding run\.json \(ENOENT\); .*metrics-only holds metrics\.jsonl but no run\.json, so it cannot be resumed: start over in a new directory/],
  ];
  const befores = await Promise.all(cases.map(([dir]) => snapshot(dir)));
  const runs = await Promise.all(cases.map(([dir]) => dmaml(['train', '--resume', dir, '--iterations', '3'])));
  for (let i = 0; i < cases.length; i++) {
    assertOneLineError(runs[i], cases[i][1], cases[i][0]);
    assert.deepEqual(await snapshot(cases[i][0]), befores[i], `${cases[i][0]} untouched`);
  }

  // A crash before the first checkpoint: run.json and a metrics line, no state.json. It resumes
  // from the start (the extra line is cut) and gives the uninterrupted run's metrics.
  const early = await copyOf(base, 'no-checkpoint');
  for (const name of ['state.json', 'curve.svg']) await rm(join(early, name));
  await rm(join(early, 'policy'), { recursive: true });
  await writeFile(join(early, 'metrics.jsonl'), `${l1}\n`);
  const r = await dmaml(['train', '--resume', early]);
  assert.equal(r.code, 0, r.stderr);
  const timing = (m: Record<string, unknown>) => { const { sampleSeconds, gradSeconds, seconds, ...rest } = m; return rest; };
  assert.deepEqual((await metricsLines(early)).map(timing), (await metricsLines(base)).map(timing));
  assert.equal(await readFile(join(early, 'run.json'), 'utf8'), await readFile(join(base, 'run.json'), 'utf8'));
});

/**
 * The capabilities this process has in effect (Linux /proc/self/status CapEff, a bit mask): root's
 * (CAP_DAC_OVERRIDE among them) let it write through any mode bits.
 */
async function effectiveCapabilities(): Promise<bigint> {
  const status = await readFile('/proc/self/status', 'utf8').catch((err: Error) => {
    throw new Error(`the run-directory tests need Linux's /proc (to see this process's capabilities): ${err.message}`);
  });
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (hex === undefined) throw new Error('the run-directory tests need a CapEff line in /proc/self/status (Linux)');
  return BigInt(`0x${hex}`);
}

/** CAP_DAC_READ_SEARCH (capability 2): reads and directory searches through any mode bits, no writes. */
const DAC_READ_SEARCH = 'dac_read_search';
/** CAP_SYS_ADMIN's bit in CapEff (mount needs it). */
const CAP_SYS_ADMIN = 21n;

test('a read-only directory, as an unprivileged process: one line naming the path and EACCES, exit 1, nothing changed; reading still works', async () => {
  const ro = join(root, 'read-only');
  await mkdir(join(ro, 'empty'), { recursive: true });
  await cp(base, join(ro, 'run'), { recursive: true });
  // The directories lose their write permission (0555, files stay 0644 and this user's). An
  // unprivileged process meets the mode bits as they are. A process with capabilities (root, as in
  // CI) would write through them: dmaml then runs with every capability dropped but
  // CAP_DAC_READ_SEARCH (setpriv, util-linux), as the same user — it can still read and run the
  // checkout wherever it sits (a clone under a 0700 directory too), and cannot write where the mode
  // bits forbid it.
  const privileged = (await effectiveCapabilities()) !== 0n;
  const prefix = privileged ? ['setpriv', `--inh-caps=-all`, `--ambient-caps=-all`, `--bounding-set=-all,+${DAC_READ_SEARCH}`, '--'] : [];
  const dirs = [ro, join(ro, 'empty'), join(ro, 'run'), join(ro, 'run', 'policy')];
  for (const d of dirs) await chmod(d, 0o555);
  const beforeAll = await snapshot(ro);
  try {
    if (privileged) {
      // The reduced process: it runs dmaml, and holds no capability that writes.
      const caps = await new Promise<{ code: number; out: string }>((done) => {
        execFile(prefix[0], [...prefix.slice(1), 'sh', '-c', 'grep ^CapEff: /proc/self/status'], (err, out, stderr) => done({ code: err ? 1 : 0, out: out + stderr }));
      });
      assert.equal(caps.code, 0, `this test runs dmaml with its capabilities dropped (${prefix.join(' ')}), which needs setpriv (util-linux) and CAP_SETPCAP; run the tests as an ordinary user, or as root with CAP_SETPCAP: ${caps.out.slice(0, 300)}`);
      assert.equal(caps.out.trim(), 'CapEff:\t0000000000000004', 'only CAP_DAC_READ_SEARCH is left to the reduced process');
      const reach = await dmaml(['help'], { prefix });
      assert.equal(reach.code, 0, `dmaml must run with its capabilities dropped (${prefix.join(' ')}): ${reach.stderr.slice(0, 300)}`);
    }
    const [fresh, empty, resume, adapt] = await Promise.all([
      dmaml(['train', '--out', join(ro, 'new'), ...SMALL], { prefix }),
      dmaml(['train', '--out', join(ro, 'empty'), ...SMALL], { prefix }),
      dmaml(['train', '--resume', join(ro, 'run'), '--iterations', '3'], { prefix }),
      dmaml(['adapt', '--checkpoint', join(ro, 'run'), '--steps', '1', '--episodes', '2', '--json'], { prefix }),
    ]);
    assertOneLineError(fresh, /^dmaml: cannot create directory .*read-only\/new: permission denied \(EACCES\)$/, 'new --out in a read-only parent', 1);
    assertOneLineError(empty, /^dmaml: cannot create .*read-only\/empty\/run\.lock: permission denied \(EACCES\)$/, 'empty read-only --out', 1);
    assertOneLineError(resume, /^dmaml: cannot create .*read-only\/run\/run\.lock: permission denied \(EACCES\)$/, 'resume of a read-only run', 1);
    assert.equal(adapt.code, 0, adapt.stderr);
    assert.deepEqual(JSON.parse(adapt.stdout).steps, [0, 1]);
    assert.deepEqual(await snapshot(ro), beforeAll);
  } finally {
    for (const d of dirs) await chmod(d, 0o755);
  }
});

test('a full disk (a small tmpfs): ENOSPC mid-iteration leaves the run at its last iteration, byte for byte; a new run leaves nothing', async () => {
  const results = join(root, 'enospc');
  await mkdir(results);
  // In a mount namespace of its own: a 512 KiB tmpfs holding a copy of `wide`, filled up, then
  // 16 KiB freed: room for a lock and a metrics line, not for the 60 KiB state.json of a [64, 64]
  // policy. With CAP_SYS_ADMIN (root) the namespace is only a mount namespace, so this process's
  // user and its reads of the checkout stay as they are; without it, a user namespace too (the
  // user maps itself to root there, and its own files stay its own).
  const script = `
    set -u
    mnt="$1"; seed="$2"; out="$3"; node="$4"; bin="$5"
    mkdir -p "$mnt" || exit 91
    mount -t tmpfs -o size=512k tmpfs "$mnt" || exit 90
    cp -a "$seed" "$mnt/run"
    head -c 1048576 /dev/zero > "$mnt/filler" 2>/dev/null
    truncate -s -16384 "$mnt/filler"
    cp -a "$mnt" "$out/before"
    "$node" "$bin" train --resume "$mnt/run" --iterations 4 > "$out/stdout1" 2> "$out/stderr1"; echo $? > "$out/code1"
    "$node" "$bin" train --out "$mnt/new" --iterations 2 --meta-batch 2 --episodes 2 --max-steps 20 --hidden 64,64 > "$out/stdout2" 2> "$out/stderr2"; echo $? > "$out/code2"
    cp -a "$mnt" "$out/after"`;
  const sysAdmin = ((await effectiveCapabilities()) >> CAP_SYS_ADMIN) & 1n;
  const unshare = sysAdmin ? ['-m'] : ['-rm'];
  const ran = await new Promise<{ code: number; stderr: string }>((done) => {
    execFile('unshare', [...unshare, 'sh', '-c', script, 'sh', join(root, 'tmpfs'), wide, results, process.execPath, BIN], (err, _out, stderr) => {
      done({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stderr });
    });
  });
  assert.equal(ran.code, 0, `this test mounts a tmpfs in a namespace of its own (unshare ${unshare.join(' ')}, util-linux), which this machine refused (exit ${ran.code}: ${ran.stderr.trim().slice(0, 300)}). `
    + 'Run the tests as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0); '
    + 'in a container, allow unshare and mount (e.g. docker run --cap-add SYS_ADMIN --security-opt seccomp=unconfined)');
  const read = (name: string) => readFile(join(results, name), 'utf8');
  // The exit code each dmaml left, as the shell wrote it.
  const exitCode = async (name: string) => {
    const text = await read(name);
    assert.match(text, /^\d+\n$/, `${name}: an exit code`);
    return Number(text);
  };
  const first = { code: await exitCode('code1'), stdout: await read('stdout1'), stderr: (await read('stderr1')).replace(/^dmaml train: .*\n(iteration .*\n)*/, '') };
  assertOneLineError(first, /^dmaml: cannot write .*\/run\/state\.json: no space left on device \(ENOSPC\); .*\/run holds iteration 2 intact; once the cause is fixed, continue with: dmaml train --resume .*\/run$/, 'ENOSPC on resume', 1);
  const second = { code: await exitCode('code2'), stdout: await read('stdout2'), stderr: (await read('stderr2')).replace(/^dmaml train: .*\n(iteration .*\n)*/, '') };
  assertOneLineError(second, /^dmaml: cannot (write|create|append to) .*\/new\/.*: no space left on device \(ENOSPC\)$/, 'ENOSPC on a new run', 1);
  // Every file as it was (metrics.jsonl cut back to iteration 2, temporary files removed), no lock, no new directory.
  assert.deepEqual(await snapshot(join(results, 'after')), await snapshot(join(results, 'before')));
});
