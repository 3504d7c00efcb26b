/**
 * npm run bench:api
 * Throughput of the API against a floor, in one run, on SQLite and then PostgreSQL (when reachable):
 * - GET /tasks/{id} of a task with 4 completed targets x 2 formats (8 links signed per request),
 *   against the same process answering a static JSON body of the same size from a bare Fastify route;
 * - the same for a task still processing (read from the database every time);
 * - POST /tasks creation rate (task + 4 targets in one transaction each).
 * The server is a child process running the compiled build; autocannon runs here. Medians of 3 runs.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { median } from './lib/stats.js';
import { withPostgres } from './lib/withPostgres.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 16;

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections, duration: seconds, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function benchBackend(name: string, databaseUrl?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'stemline-bench-api-'));
  const child = fork(join(import.meta.dirname, 'lib/apiServer.mjs'), [dataDir, databaseUrl ?? ''], { stdio: 'inherit' });
  const info = await new Promise<{ url: string; floorUrl: string; key: string; taskId: string; processingId: string; assetId: string; bytes: number }>((resolve) => child.once('message', resolve as never));
  const headers = { 'x-api-key': info.key };
  const get: autocannon.Result[] = [];
  const floor: autocannon.Result[] = [];
  const post: autocannon.Result[] = [];
  const processing: autocannon.Result[] = [];
  const body = JSON.stringify({ assetId: info.assetId, targets: ['vocals', 'drums', 'bass', 'other'].map((model) => ({ model, formats: ['wav'] })) });
  await run({ url: `${info.url}/tasks/${info.taskId}`, headers, duration: 1 }); // warm-up
  for (let i = 0; i < 3; i++) {
    floor.push(await run({ url: `${info.floorUrl}/static` }));
    get.push(await run({ url: `${info.url}/tasks/${info.taskId}`, headers }));
    processing.push(await run({ url: `${info.url}/tasks/${info.processingId}`, headers }));
    post.push(await run({ url: `${info.url}/tasks`, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }));
  }
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
  const rps = (rs: autocannon.Result[]) => median(rs.map((r) => r.requests.average));
  const p99 = (rs: autocannon.Result[]) => median(rs.map((r) => r.latency.p99));
  const errors = [...get, ...floor, ...post, ...processing].reduce((n, r) => n + r.errors + r.non2xx, 0);
  console.log(`\n${name}: body ${info.bytes} bytes, ${connections} connections, ${seconds} s x 3 runs, medians${errors ? `, ${errors} errors/non-2xx!` : ''}`);
  console.log(`  floor  GET /static (bare route, same bytes)   ${rps(floor).toFixed(0).padStart(7)} req/s   p99 ${p99(floor)} ms`);
  console.log(`  GET /tasks/{id} (auth, db, 8 signed links)   ${rps(get).toFixed(0).padStart(7)} req/s   p99 ${p99(get)} ms   ratio to floor ${(rps(get) / rps(floor)).toFixed(2)} (goal >= 0.5)`);
  console.log(`  GET /tasks/{id} of a processing task (no cache: two queries per request)   ${rps(processing).toFixed(0).padStart(7)} req/s   p99 ${p99(processing)} ms   ratio ${(rps(processing) / rps(floor)).toFixed(2)}`);
  console.log(`  POST /tasks (4 targets, one transaction)      ${rps(post).toFixed(0).padStart(7)} req/s   p99 ${p99(post)} ms   (goal >= 2000 on SQLite)`);
}

await benchBackend('SQLite');
await withPostgres((url) => benchBackend('PostgreSQL', url));
