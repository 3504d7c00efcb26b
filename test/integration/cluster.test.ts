import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { addPrivateNetwork, buildNetwork, netnsProblem, setLink, type NetHost } from '../helpers/cluster/network.js';
import { tcpForward } from '../helpers/cluster/tcpForward.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { createTestBucket, s3Env, s3Problem, s3Server } from '../helpers/s3/testBucket.js';
import { adminKey, fileForm } from '../helpers/testService.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const entry = join(import.meta.dirname, '../../src/cli/main.ts');
const postgres = backends.find((b) => b.name === 'postgres');
const problem = postgres ? (s3Problem ?? netnsProblem()) : 'PostgreSQL is not reachable';
if (problem) {
  if (process.env.STEMLINE_TEST_REQUIRE_ROOT === '1') throw new Error(`The cluster test cannot run: ${problem}; CI requires it.`);
  console.warn(`Skipping the cluster test: ${problem}`);
}

const roles: Record<string, string> = { api1: 'api', api2: 'api', w1: 'worker', w2: 'worker', disp: 'dispatcher' };
const receiverAddress = '10.232.0.1';

interface Proc {
  child: ChildProcess;
  output: string;
}

describe.skipIf(problem !== null)('a cluster of hosts in network namespaces (2 API, 2 worker, 1 dispatcher)', () => {
  let net: ReturnType<typeof buildNetwork>;
  const forwards: { close(): Promise<void> }[] = [];
  const procs = new Map<string, Proc>();
  let receiver: Proc;
  let env: Record<string, string>;
  let db: pg.Pool;
  let drop: () => Promise<void>;
  const media = tempDir();
  const dataDirs: string[] = [];
  const events = () => receiver.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { headers: Record<string, string>; body: string });
  const host = (name: string): NetHost => net.hosts.get(name)!;
  const api = (name: string) => `http://${host(name).address}:8080`;
  const call = async (name: string, method: string, path: string, body?: unknown, key = adminKey) => {
    const response = await fetch(`${api(name)}${path}`, {
      method, headers: { 'x-api-key': key, ...(body instanceof FormData || body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() as any };
  };

  async function start(name: string): Promise<void> {
    const dataDir = mkdtempSync(join(tmpdir(), `stemline-host-${name}-`));
    dataDirs.push(dataDir);
    const child = spawn('ip', ['netns', 'exec', host(name).ns, process.execPath, '--import', tsx, entry, 'serve'], {
      env: {
        ...process.env, ...env, STEMLINE_ROLES: roles[name], STEMLINE_DATA_DIR: dataDir, STEMLINE_HOST: host(name).address, STEMLINE_PORT: '8080',
        STEMLINE_PUBLIC_URL: `http://${host(name).address}:8080`,
        // Worker and dispatcher hosts serve health and metrics on their ops port, as an operator scrapes them.
        ...(roles[name] === 'api' ? {} : { STEMLINE_OPS_PORT: '9100' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc: Proc = { child, output: '' };
    procs.set(name, proc);
    child.stdout!.on('data', (d) => (proc.output += d));
    child.stderr!.on('data', (d) => (proc.output += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${proc.output}`)), 45_000);
      const check = () => {
        if (/Stemline (listening on|running)/.test(proc.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', () => reject(new Error(`${name} exited:\n${proc.output}`)));
    });
  }

  async function stop(name: string): Promise<void> {
    const proc = procs.get(name)!;
    if (proc.child.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.child.once('exit', resolve));
    proc.child.kill('SIGTERM');
    await exited;
  }

  async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const waitTask = (id: string, via = 'api1') => waitUntil(`task ${id}`, async () => {
    const { body } = await call(via, 'GET', `/tasks/${id}`).catch(() => ({ body: {} as any }));
    return body.completedAt ? body : undefined;
  }, 120_000);

  beforeAll(async () => {
    net = buildNetwork('10.231.0', Object.keys(roles));
    addPrivateNetwork(host('disp'), receiverAddress);
    const database = await postgres!.create();
    drop = database.drop;
    const dbUrl = new URL(database.databaseUrl!);
    const pgForward = await tcpForward(net.gateway, { host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    const endpoint = new URL(s3Server.problem === null ? s3Server.endpoint : '');
    const s3Forward = await tcpForward(net.gateway, { host: endpoint.hostname, port: Number(endpoint.port) });
    forwards.push(pgForward, s3Forward);
    db = new pg.Pool({ connectionString: database.databaseUrl! });
    const bucket = await createTestBucket('cluster');
    const hostDb = new URL(database.databaseUrl!);
    hostDb.hostname = net.gateway;
    hostDb.port = String(pgForward.port);
    env = {
      ...s3Env(), STEMLINE_DATABASE_URL: hostDb.toString(),
      STEMLINE_STORAGE_URL: `s3://${bucket.bucket}/cluster?endpoint=http://${net.gateway}:${s3Forward.port}&forcePathStyle=true`,
      STEMLINE_ADMIN_KEY: adminKey, STEMLINE_LEASE_MS: '3000', STEMLINE_ALLOWED_NETWORKS: '10.232.0.0/24', STEMLINE_ALLOW_PRIVATE_NETWORKS: 'false',
      STEMLINE_WORKER_CONCURRENCY: '1', STEMLINE_SEPARATION_THREADS: '1', STEMLINE_LOG_LEVEL: 'info', STEMLINE_RATE_LIMIT: '10000',
      STEMLINE_SHIPPED_MODELS: 'false', STEMLINE_WEBHOOK_RETRY_SCHEDULE: '1s,2s,4s',
    };
    const rx = spawn('ip', ['netns', 'exec', host('disp').ns, process.execPath, join(import.meta.dirname, '../helpers/cluster/receiver.mjs'), receiverAddress, '9000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    receiver = { child: rx, output: '' };
    rx.stdout!.on('data', (d) => (receiver.output += d));
    await waitUntil('the receiver', async () => receiver.output.includes('receiver listening'), 10_000);
    // The first API host creates the first client; the others start against the migrated database.
    await start('api1');
    await Promise.all(['api2', 'w1', 'w2', 'disp'].map(start));
  }, 180_000);

  afterAll(async () => {
    for (const name of procs.keys()) {
      try {
        setLink(host(name), 'up');
      } catch {
        // the network may be gone already
      }
    }
    await Promise.all([...procs.keys()].map(stop));
    receiver?.child.kill('SIGKILL');
    await db?.end();
    for (const f of forwards) await f.close();
    net?.teardown();
    await drop?.();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    media.cleanup();
  }, 60_000);

  it('a task created on one API host is read on the other; workers on both hosts share the targets', async () => {
    // Refused by default: a private address outside STEMLINE_ALLOWED_NETWORKS.
    const refused = await call('api1', 'POST', '/webhooks', { url: `http://${net.gateway}:9000/hook` });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('url_not_allowed');
    expect((await call('api2', 'POST', '/webhooks', { url: `http://${receiverAddress}:9000/hook` })).status).toBe(200);

    const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'clip.wav', ['-f', 'lavfi', '-i', 'sine=f=220:d=20', '-ac', '2'])));
    const asset = (await call('api1', 'POST', '/assets', fileForm(clip, 'clip.wav'))).body;
    expect(asset.id).toBeTruthy();
    const owners = new Set<string>();
    const watch = setInterval(() => {
      void db.query<{ lease_owner: string }>('select lease_owner from targets where lease_owner is not null').then((r) => r.rows.forEach((row) => owners.add(row.lease_owner.split(':')[1])), () => undefined);
    }, 50);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await call(i % 2 ? 'api2' : 'api1', 'POST', '/tasks', { assetId: asset.id, targets: [{ model: 'drums', formats: ['wav'] }] })).body.id);
    const done = await Promise.all(ids.map((id, i) => waitTask(id, i % 2 ? 'api1' : 'api2')));
    clearInterval(watch);
    expect(done.map((t) => t.targets[0].status)).toEqual(new Array(6).fill('completed'));
    const workerPids = ['w1', 'w2'].map((n) => String(procs.get(n)!.child.pid));
    expect(workerPids.filter((pid) => owners.has(pid))).toHaveLength(2);
    // The output link is presigned for the store and downloads from the test's side of the network.
    expect((await fetch(done[0].targets[0].output[0].link)).status).toBe(200);
    // The dispatcher host delivered each event to the receiver in its own namespace.
    await waitUntil('six webhooks', async () => new Set(events().map((e) => e.headers['webhook-id'])).size >= 6);
    // Each worker and dispatcher host answers health checks and scrapes on its ops port, and only those.
    let stored = 0;
    for (const name of ['w1', 'w2', 'disp']) {
      const ops = `http://${host(name).address}:9100`;
      expect((await fetch(`${ops}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${ops}/metrics`)).text();
      if (name !== 'disp') stored += Number(/^stemline_storage_seconds_total\{operation="write"\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
      else expect(metrics).toMatch(/^stemline_webhook_attempts_total\{outcome="delivered"\} [1-9]/m);
      const other = await fetch(`${ops}/tasks`);
      expect(other.status).toBe(404);
      expect((await other.json() as { message: string }).message).toContain('only /healthz, /readyz and /metrics');
    }
    expect(stored).toBeGreaterThan(0);
  });

  it('a worker host cut off mid-target: the other host finishes it after the lease expires, one debit, one webhook', async () => {
    const long = new Uint8Array(readFileSync(makeMedia(media.dir, 'long.wav', ['-f', 'lavfi', '-i', 'sine=f=330:d=90', '-ac', '2'])));
    const asset = (await call('api2', 'POST', '/assets', fileForm(long, 'long.wav'))).body;
    const task = (await call('api1', 'POST', '/tasks', { assetId: asset.id, targets: [{ model: 'vocals', formats: ['wav'] }] })).body;
    const pids = new Map(['w1', 'w2'].map((n) => [String(procs.get(n)!.child.pid), n]));
    const cut = await waitUntil('a worker to claim the target', async () => {
      const { rows } = await db.query<{ lease_owner: string | null }>('select lease_owner from targets where task_id = $1', [task.id]);
      return rows[0]?.lease_owner ? pids.get(rows[0].lease_owner.split(':')[1]) : undefined;
    }, 30_000);
    const survivor = cut === 'w1' ? 'w2' : 'w1';
    // Mid-target: the pass is running when the link goes down.
    await new Promise((r) => setTimeout(r, 1000));
    setLink(host(cut), 'down');
    try {
      const done = await waitTask(task.id).catch(async (error: Error) => {
        const { rows } = await db.query('select status, lease_owner, lease_expires_at, attempts, available_at from targets where task_id = $1', [task.id]);
        throw new Error(`${error.message}; rows ${JSON.stringify(rows)} at ${Date.now()}\n--- ${survivor}:\n${procs.get(survivor)!.output.slice(-4000)}`);
      });
      expect(done.targets[0].status).toBe('completed');
      const { rows } = await db.query<{ attempts: number; lease_owner: string | null }>('select attempts, lease_owner from targets where task_id = $1', [task.id]);
      expect(rows[0].attempts).toBe(2);
      const debits = await db.query('select 1 from credit_ledger where target_id = $1', [done.targets[0].id]);
      expect(debits.rowCount).toBe(1);
      const completions = () => events().filter((e) => (JSON.parse(e.body) as { id: string }).id === task.id);
      await waitUntil('the webhook', async () => completions().length >= 1);
    } finally {
      setLink(host(cut), 'up');
    }
    // The cut host comes back, finds its lease gone and ends nothing twice; its late result changes nothing.
    await new Promise((r) => setTimeout(r, 4000));
    const completions = events().filter((e) => (JSON.parse(e.body) as { id: string }).id === task.id);
    expect(new Set(completions.map((e) => e.headers['webhook-id'])).size).toBe(1);
    const debits = await db.query('select 1 from credit_ledger l join targets t on t.id = l.target_id where t.task_id = $1', [task.id]);
    expect(debits.rowCount).toBe(1);
  }, 200_000);

  it('restarting each host in turn loses nothing: every task completes, every event is delivered', async () => {
    const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'short.wav', ['-f', 'lavfi', '-i', 'sine=f=440:d=15', '-ac', '2'])));
    const asset = (await call('api1', 'POST', '/assets', fileForm(clip, 'short.wav'))).body;
    const ids: string[] = [];
    const order = ['api1', 'api2', 'w1', 'w2', 'disp'];
    for (const name of order) {
      const via = name === 'api1' ? 'api2' : 'api1';
      for (let k = 0; k < 2; k++) ids.push((await call(via, 'POST', '/tasks', { assetId: asset.id, targets: [{ model: 'drums', formats: ['wav'] }, { model: 'bass', formats: ['flac'] }] })).body.id);
      await stop(name);
      expect(procs.get(name)!.child.exitCode, `${name} exited cleanly`).toBe(0);
      await start(name);
    }
    const done = await Promise.all(ids.map((id) => waitTask(id)));
    expect(done.flatMap((t) => t.targets.map((x: { status: string }) => x.status))).toEqual(new Array(ids.length * 2).fill('completed'));
    const { rows } = await db.query<{ n: string }>('select count(*) as n from credit_ledger l join targets t on t.id = l.target_id where t.task_id = any($1)', [ids]);
    expect(Number(rows[0].n)).toBe(ids.length * 2);
    // Two targets per task: two events each, every one delivered (a retry keeps its webhook-id).
    await waitUntil('every event', async () => {
      const delivered = new Set(events().filter((e) => ids.includes((JSON.parse(e.body) as { id: string }).id)).map((e) => e.headers['webhook-id']));
      return delivered.size >= ids.length * 2;
    }, 60_000);
  }, 400_000);
});
