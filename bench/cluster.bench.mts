/**
 * npm run bench:cluster
 * Scale-out on one machine: N worker processes (1, then 2) against one PostgreSQL database and one S3
 * bucket (a throwaway Ceph RADOS Gateway on loopback, started with test/helpers/s3/startCephRgw.sh as
 * the tests do), behind one API process (roles api) that takes the uploads and the task creations.
 * Compiled build (`stemline serve`), DSP engine (STEMLINE_SHIPPED_MODELS=false). Each worker runs one
 * separation thread and one task at a time, so one process stands for one host's core.
 * A round starts N workers, creates --tasks tasks of 2 targets (drums, vocals -> wav) of a 30 s clip
 * at once (one uploaded asset per task, uploaded before the first round) and times the first creation
 * to the last completedAt: targets per minute. Then it reads every worker's /metrics (less what it
 * read before the round) for where the workers' time went, per target ended: reading the input from
 * the store, writing the outputs to it, and the separation passes (decode, separate, encode; storage
 * excluded). Workers run as worker-only processes, scraped on their ops port (STEMLINE_OPS_PORT), as
 * on a worker host. Workers stop (SIGTERM) between
 * rounds; rounds alternate (1, 2, 1, 2), medians per N.
 * Flags: --workers 1,2  --tasks 12  --rounds 2  --seconds 30 (clip length)
 *        --threads 1 (STEMLINE_SEPARATION_THREADS per worker)  --concurrency 1 (STEMLINE_WORKER_CONCURRENCY)
 * Needs PostgreSQL (STEMLINE_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test) and
 * Ceph (root, ceph-mon, ceph-osd, radosgw); prints why it skipped and exits 0 without them.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { resolveFfmpegPath } from '../src/audio/resolveFfmpegPath.js';
import { makeTestSignal } from './lib/makeTestSignal.js';
import { median } from './lib/stats.js';
import { withPostgres } from './lib/withPostgres.js';
import { freePort } from '../test/helpers/freePort.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2' },
    tasks: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '1' },
  },
});
const workerCounts = values.workers.split(',').map((w) => Number(w.trim()));
const tasks = Number(values.tasks);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const positive = (n: number) => Number.isInteger(n) && n > 0;
if (!workerCounts.every(positive) || ![tasks, rounds, seconds, Number(values.threads), Number(values.concurrency)].every(positive)) {
  console.error('usage: cluster.bench.mts [--workers 1,2] [--tasks 12] [--rounds 2] [--seconds 30] [--threads 1] [--concurrency 1] (positive integers)');
  process.exit(2);
}
const targetModels = ['drums', 'vocals'];
const targetsPerRound = tasks * targetModels.length;
const key = 'sl_bench_admin_key_0123456789abcdefghijklmno';
const s3Credentials = { accessKeyId: 'stemline-test', secretAccessKey: 'stemline-test-secret' };
const bin = join(import.meta.dirname, '../bin/stemline.js');
const s3Scripts = join(import.meta.dirname, '../test/helpers/s3');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// S3 first: without Ceph there is nothing to measure.
const s3Problem = process.getuid?.() !== 0 ? 'the Ceph gateway needs root'
  : !['/usr/bin/ceph-mon', '/usr/bin/ceph-osd', '/usr/bin/radosgw'].every((p) => existsSync(p)) ? 'Ceph is not installed (apt-get install -y ceph-mon ceph-osd radosgw)'
    : null;
if (s3Problem) {
  console.log(`S3 skipped: ${s3Problem}; bench:cluster needs a real S3 store.`);
  process.exit(0);
}

const ffmpeg = resolveFfmpegPath();
const cache = join(import.meta.dirname, '.cache');
const signalSeconds = Math.max(180, seconds);
const long = makeTestSignal(ffmpeg, join(cache, `signal-${signalSeconds}s.wav`), signalSeconds);
const clip = join(cache, `clip-${seconds}s.wav`);
if (!existsSync(clip)) execFileSync(ffmpeg, ['-v', 'error', '-y', '-i', long, '-t', String(seconds), '-c', 'copy', clip]);

// Every process this bench starts; a signal stops them, which makes the waits below fail and the
// finally blocks clean up (the database, the gateway, the temporary folders).
interface Proc { name: string; child: ChildProcess; output: string; url: string }
const procs = new Set<Proc>();
let interrupted: string | null = null;
const onSignal = (signal: string) => {
  if (interrupted) process.exit(130);
  interrupted = signal;
  console.log(`\n${signal}: stopping and cleaning up (again to quit at once)`);
  for (const p of procs) p.child.kill('SIGTERM');
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const checkInterrupted = () => {
  if (interrupted) throw new Error(`interrupted (${interrupted})`);
};

/** `stemline serve` with its own data dir (its scratch space) on a free port; resolves once it listens. */
async function serve(name: string, root: string, env: Record<string, string>): Promise<Proc> {
  checkInterrupted();
  const dataDir = join(root, name);
  mkdirSync(dataDir, { recursive: true });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEMLINE_') && !k.startsWith('AWS_')));
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { ...inherited, ...env, STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_OPS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, child, output: '', url: '' };
  procs.add(proc);
  const append = (d: Buffer) => (proc.output = (proc.output + d).slice(-20_000));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  proc.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${proc.output}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /listening on (\S+)/.exec(proc.output) ?? /health and metrics: ([^\s)]+)/.exec(proc.output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${proc.output}`));
    });
  });
  return proc;
}

const exited = (p: Proc) => p.child.exitCode !== null || p.child.signalCode !== null;

async function stop(p: Proc): Promise<void> {
  if (!exited(p)) {
    const gone = new Promise((resolve) => p.child.once('exit', resolve));
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 45_000);
    await gone;
    clearTimeout(timer);
  }
  procs.delete(p);
}

/** One Prometheus text exposition as samples. */
function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

interface Counters { ended: number; completed: number; read: number; write: number; pass: number; passes: number }

async function scrape(p: Proc): Promise<Counters> {
  const response = await fetch(`${p.url}/metrics`);
  if (!response.ok) throw new Error(`${p.name} GET /metrics: ${response.status}`);
  const samples = parseMetrics(await response.text());
  const sum = (name: string, labels: Record<string, string> = {}) => samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
  return {
    ended: sum('stemline_targets_ended_total'),
    completed: sum('stemline_targets_ended_total', { status: 'completed' }),
    read: sum('stemline_storage_seconds_total', { operation: 'read' }),
    write: sum('stemline_storage_seconds_total', { operation: 'write' }),
    pass: sum('stemline_separation_pass_seconds_total'),
    passes: sum('stemline_separation_passes_total'),
  };
}

const minus = (a: Counters, b: Counters): Counters => ({
  ended: a.ended - b.ended, completed: a.completed - b.completed, read: a.read - b.read, write: a.write - b.write, pass: a.pass - b.pass, passes: a.passes - b.passes,
});
const total = (cs: Counters[]): Counters => cs.reduce((a, b) => ({
  ended: a.ended + b.ended, completed: a.completed + b.completed, read: a.read + b.read, write: a.write + b.write, pass: a.pass + b.pass, passes: a.passes + b.passes,
}), { ended: 0, completed: 0, read: 0, write: 0, pass: 0, passes: 0 });

interface Round { workers: number; wallMs: number; completed: number; errors: number; perWorker: number[]; counters: Counters }

async function bench(databaseUrl: string): Promise<Round[]> {
  const root = mkdtempSync(join(tmpdir(), 'stemline-cluster-'));
  const rgwDir = join(root, 'rgw');
  try {
    // The gateway and its bucket.
    const port = await freePort();
    const t0 = performance.now();
    const { stdout } = await run('bash', [join(s3Scripts, 'startCephRgw.sh'), rgwDir, String(port)], { timeout: 180_000 }).catch((error) => {
      throw new Error(`the Ceph gateway did not start: ${(error as Error).message}`);
    });
    const endpoint = /endpoint=(\S+)/.exec(stdout)?.[1];
    if (!endpoint) throw new Error(`no endpoint in the gateway's output: ${stdout}`);
    checkInterrupted();
    const bucket = `stemline-bench-${randomBytes(6).toString('hex')}`;
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3Credentials });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    console.log(`Ceph RADOS Gateway (memstore) at ${endpoint} after ${((performance.now() - t0) / 1000).toFixed(1)} s, bucket ${bucket}`);

    const env = {
      STEMLINE_DATABASE_URL: databaseUrl,
      STEMLINE_STORAGE_URL: `s3://${bucket}/bench?endpoint=${encodeURIComponent(endpoint)}&forcePathStyle=true`,
      AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey, AWS_REGION: 'us-east-1',
      STEMLINE_ADMIN_KEY: key, STEMLINE_LOG_LEVEL: 'warn', STEMLINE_RATE_LIMIT: '100000', STEMLINE_SHIPPED_MODELS: 'false',
    };
    const workerEnv = { ...env, STEMLINE_ROLES: 'worker', STEMLINE_SEPARATION_THREADS: values.threads, STEMLINE_WORKER_CONCURRENCY: values.concurrency };

    // The API process (it migrates the database and creates the admin client), and one asset per task.
    const api = await serve('api', root, { ...env, STEMLINE_ROLES: 'api' });
    const headers = { 'x-api-key': key };
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${api.url}${path}`, {
        method, headers: body instanceof FormData || body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body instanceof FormData || body === undefined ? body : JSON.stringify(body),
      });
      const json = await response.json() as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const bytes = readFileSync(clip);
    const assets: string[] = [];
    for (let i = 0; i < tasks; i++) {
      const form = new FormData();
      form.append('file', new Blob([bytes]), `clip-${i}.wav`);
      assets.push((await call('POST', '/assets', form)).id as string);
    }

    const results: Round[] = [];
    const order = Array.from({ length: rounds }, () => workerCounts).flat();
    for (const [index, n] of order.entries()) {
      const workers = await Promise.all(Array.from({ length: n }, (_, i) => serve(`round${index + 1}-worker${i + 1}`, root, workerEnv)));
      try {
        const before = await Promise.all(workers.map(scrape));
        const began = Date.now();
        const ids = await Promise.all(assets.map(async (assetId) => (await call('POST', '/tasks', {
          assetId, targets: targetModels.map((model) => ({ model, formats: ['wav'] })),
        })).id as string));
        const done = new Map<string, { completedAt: string; targets: { status: string }[] }>();
        const deadline = Date.now() + 120_000 + tasks * seconds * 4_000;
        while (done.size < ids.length) {
          checkInterrupted();
          const dead = workers.find(exited);
          if (dead) throw new Error(`${dead.name} exited during the round:\n${dead.output}`);
          if (Date.now() > deadline) throw new Error(`round ${index + 1}: ${ids.length - done.size} of ${ids.length} tasks not completed in time`);
          for (const id of ids.filter((i) => !done.has(i))) {
            const task = await call('GET', `/tasks/${id}`) as { completedAt: string | null; targets: { status: string }[] };
            if (task.completedAt) done.set(id, task as { completedAt: string; targets: { status: string }[] });
          }
          if (done.size < ids.length) await sleep(200);
        }
        const wallMs = Math.max(...[...done.values()].map((t) => Date.parse(t.completedAt))) - began;
        const statuses = [...done.values()].flatMap((t) => t.targets.map((x) => x.status));
        // A worker counts a target as ended just after it commits it: wait for the last counts.
        let after = await Promise.all(workers.map(scrape));
        for (let i = 0; i < 100 && total(after).ended - total(before).ended < targetsPerRound; i++) {
          await sleep(50);
          after = await Promise.all(workers.map(scrape));
        }
        const deltas = after.map((a, i) => minus(a, before[i]));
        const round: Round = {
          workers: n, wallMs, completed: statuses.filter((s) => s === 'completed').length, errors: statuses.filter((s) => s !== 'completed').length,
          perWorker: deltas.map((d) => d.ended), counters: total(deltas),
        };
        results.push(round);
        console.log(`round ${index + 1}/${order.length}: ${n} worker${n > 1 ? 's' : ' '}  ${round.completed} targets in ${(wallMs / 1000).toFixed(1)} s = ${(round.completed / (wallMs / 60_000)).toFixed(1)} targets/min`
          + `  (targets per worker: ${round.perWorker.join(' / ')}; ${round.counters.passes} passes)${round.errors ? `, ${round.errors} targets with errors!` : ''}`);
      } finally {
        for (const w of workers) await stop(w);
      }
    }
    return results;
  } finally {
    for (const p of [...procs]) await stop(p).catch(() => undefined);
    await run('bash', [join(s3Scripts, 'stopCephRgw.sh'), rgwDir]).catch((error) => console.error(`stopping the gateway failed: ${(error as Error).message}`));
    rmSync(root, { recursive: true, force: true });
  }
}

function report(results: Round[]): void {
  const cores = availableParallelism();
  console.log(`\n${tasks} tasks x ${targetModels.length} targets (${targetModels.join(', ')} -> wav) of a ${seconds} s stereo clip per round, created at once; DSP engine;`
    + ` PostgreSQL + S3 (Ceph RGW, memstore) on this machine; each worker: ${values.threads} separation thread${values.threads === '1' ? '' : 's'}, ${values.concurrency} task${values.concurrency === '1' ? '' : 's'} at a time; medians of ${rounds} round${rounds > 1 ? 's' : ''}`);
  const rows = [['workers', 'targets/min', 'speedup vs 1', 'storage read s/target', 'storage write s/target', 'separation s/target', 'storage share of worker time', 'targets/pass', 'workers busy of wall']];
  const distinct = [...new Set(workerCounts)].sort((a, b) => a - b);
  const tpm = (r: Round) => r.completed / (r.wallMs / 60_000);
  const baseline = results.filter((r) => r.workers === 1);
  const baseTpm = baseline.length ? median(baseline.map(tpm)) : null;
  for (const n of distinct) {
    const rs = results.filter((r) => r.workers === n);
    const per = (f: (c: Counters) => number) => median(rs.map((r) => (r.counters.ended ? f(r.counters) / r.counters.ended : NaN)));
    const storage = (c: Counters) => c.read + c.write;
    const m = median(rs.map(tpm));
    rows.push([
      String(n), m.toFixed(1), baseTpm ? `${(m / baseTpm).toFixed(2)}x` : '-',
      per((c) => c.read).toFixed(3), per((c) => c.write).toFixed(3), per((c) => c.pass).toFixed(3),
      `${(100 * median(rs.map((r) => storage(r.counters) / (storage(r.counters) + r.counters.pass)))).toFixed(1)}%`,
      median(rs.map((r) => r.counters.ended / r.counters.passes)).toFixed(2),
      `${(100 * median(rs.map((r) => (storage(r.counters) + r.counters.pass) / ((r.wallMs / 1000) * r.workers)))).toFixed(0)}%`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join(' | '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  if (errors) console.log(`${errors} targets ended with errors (not counted in targets/min)!`);
  console.log(`Per target: the workers' counters over the targets they ended (a pass serves a task's ${targetModels.length} targets; separation = decode, separate, encode, storage excluded);`
    + ` targets/pass below ${targetModels.length}: workers split tasks' targets between them; workers busy = (storage + separation) / (wall x workers).`);
  console.log(`This machine: ${cores} cores (os.availableParallelism()), load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end.`
    + (cores <= Math.max(...distinct)
      ? ` With ${cores} cores, N=${cores} is the CPU limit on this machine (PostgreSQL, the gateway, the API process and ffmpeg share those cores), so the N=${cores} row says what one more host's core adds when storage and PostgreSQL are shared.`
      : ` With more cores than workers, the largest N shows what more hosts' cores add when storage and PostgreSQL are shared.`));
}

const began = performance.now();
const loadAtStart = loadavg()[0];
// withPostgres reports any error as "PostgreSQL skipped": keep the bench's own errors apart.
const outcome: { ran: boolean; failure: unknown } = { ran: false, failure: null };
await withPostgres(async (databaseUrl) => {
  outcome.ran = true;
  try {
    report(await bench(databaseUrl));
  } catch (error) {
    outcome.failure = error;
  }
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
if (outcome.failure) {
  console.error(`bench:cluster failed: ${(outcome.failure as Error).stack ?? outcome.failure}`);
  process.exitCode = interrupted ? 130 : 1;
} else if (outcome.ran) console.log(`(bench took ${((performance.now() - began) / 1000).toFixed(0)} s)`);
