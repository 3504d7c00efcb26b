/**
 * npm run bench:webhooks
 * Webhook fan-out on SQLite, then PostgreSQL (when reachable), in one run:
 * - throughput: 20,000 target-completion events (each written by TargetQueue.complete, outbox included)
 *   to 4 endpoints = 80,000 deliveries, drained by the real dispatcher (render, sign, POST, record);
 * - ceiling: the same number of signed POSTs of the same bodies to the same receivers from a bare
 *   undici loop with the same concurrency;
 * - latency: events offered at 1,000/s with the dispatcher running, from the commit of each event to
 *   its receipt (p50/p99).
 * Receivers are a child process (4 keep-alive servers answering 204). Medians where repeated.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Agent, request } from 'undici';
import { openDatabase } from '../dist/db/openDatabase.js';
import { createRepositories } from '../dist/db/createRepositories.js';
import { TargetQueue } from '../dist/queue/targetQueue.js';
import { MessageQueue } from '../dist/queue/messageQueue.js';
import { Wakeups } from '../dist/queue/Wakeups.js';
import { ProxyLinks } from '../dist/storage/ProxyLinks.js';
import { WebhookDispatcher } from '../dist/webhooks/WebhookDispatcher.js';
import { createGuardedAgent } from '../dist/webhooks/egressGuard.js';
import { newSecret } from '../dist/domain/newSecret.js';
import { signPayload } from '../dist/webhooks/signPayload.js';
import { renderTask } from '../dist/domain/renderTask.js';
import { median } from './lib/stats.js';
import { withPostgres } from './lib/withPostgres.js';

const events = Number(process.env.BENCH_EVENTS ?? 20_000);
const endpointsPerClient = 4;
const perEndpoint = 16;
const latencyRate = 1000;
const latencySeconds = Number(process.env.BENCH_LATENCY_SECONDS ?? 5);

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function benchBackend(name: string, databaseUrl: string | null) {
  const dataDir = mkdtempSync(join(tmpdir(), 'stemline-bench-wh-'));
  const receivers = fork(join(import.meta.dirname, 'lib/webhookReceivers.mjs'), [String(endpointsPerClient)], { stdio: 'inherit' });
  const { urls } = await new Promise<{ urls: string[] }>((resolve) => receivers.once('message', resolve as never));
  const database = await openDatabase({ databaseUrl, dataDir });
  const repos = createRepositories(database.db);
  const links = new ProxyLinks(() => 'http://127.0.0.1:8080', 'bench-link-secret', 3600);
  const wakeups = new Wakeups(database.pool, 'stemline_webhooks');
  await wakeups.start();
  // Events are written as workers would write them: with PostgreSQL, through their own connections
  // (a worker is its own process), so the dispatcher's pool is its own; SQLite shares its one connection.
  const producerDb = databaseUrl ? await openDatabase({ databaseUrl, dataDir }) : database;
  const targets = new TargetQueue(producerDb.db, producerDb.profile, () => void wakeups.notify());
  const messages = new MessageQueue(database.db, database.profile);
  const http = createGuardedAgent({ policy: { allowPrivate: true }, connections: perEndpoint });
  const log = pino({ level: 'warn' });
  const makeDispatcher = () => new WebhookDispatcher(messages, { http, links, wakeups }, {
    timeoutMs: 15_000, retryScheduleMs: [5000], disableAfterMs: 5 * 86_400_000, perEndpoint, maxInFlight: 512, pollMs: 500, version: 'bench',
  }, log);

  const now = Date.now();
  const clientId = 'cbenchclient0000000000000';
  await repos.clients.insert({ id: clientId, name: 'bench', credits: null, createdAt: now });
  for (const [i, url] of urls.entries()) {
    await repos.webhooks.insert({ id: `ep_bench${i}`, clientId, url, description: null, events: ['target.completed', 'target.error'], secret: newSecret(),
      previousSecret: null, previousSecretUntil: null, enabled: true, disabledReason: null, failingSince: null, createdAt: now, updatedAt: now });
  }
  // Tasks of 4 targets x 2 formats, completed one target at a time as a worker would.
  let taskNo = 0;
  const models = ['vocals', 'drums', 'bass', 'other'];
  const makeTasks = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const id = `cbenchtask${String(taskNo++).padStart(15, '0')}`;
      await repos.tasks.create({ id, clientId, createdAt: Date.now(), assetId: 'cbenchasset', url: null, metadata: null, inputKey: 'assets/cbenchasset/a.wav', checkCredits: false,
        targets: models.map((model, position) => ({ id: `${id}t${position}`, position, model, formats: ['wav', 'mp3'], residual: null, variant: null, language: null, reserved: 0 })) });
    }
  };
  const commits = new Map<string, number>();
  // Claims take a task's targets together, as the worker does; they are completed one per call.
  const claimed: Awaited<ReturnType<typeof targets.claimTask>> = [];
  const completeOne = async () => {
    if (claimed.length === 0) claimed.push(...(await targets.claimTask('bench', Date.now(), 60_000)));
    const target = claimed.shift();
    if (!target) throw new Error('no target to complete');
    const outputs = ['wav', 'mp3'].map((format) => ({ name: target.model, format, key: `outputs/${target.task_id}/${target.id}/${target.model}.${format}` }));
    await targets.complete(target, 'bench', { cost: 4, duration: 200.5, outputs }, Date.now());
    commits.set(target.id, performance.timeOrigin + performance.now());
  };
  const waitForReceipts = async (expected: number) => {
    for (;;) {
      const { count } = await ask<{ count: number }>(receivers, 'count');
      if (count >= expected) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  // Throughput: the backlog is written first, then drained.
  await makeTasks(events / models.length);
  const produceStart = performance.now();
  for (let i = 0; i < events; i++) await completeOne();
  const produceSeconds = (performance.now() - produceStart) / 1000;
  const deliveries = events * endpointsPerClient;
  const dispatcher = makeDispatcher();
  const drainStart = performance.now();
  dispatcher.start();
  await waitForReceipts(deliveries);
  const drainSeconds = (performance.now() - drainStart) / 1000;
  await dispatcher.stop(5000);
  await ask(receivers, 'take');
  const delivered = Number((await database.db.selectFrom('webhook_messages').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow()).n);

  // Ceiling: bare undici, same bodies signed per request, same receivers, same concurrency.
  const sample = await repos.tasks.get(clientId, 'cbenchtask000000000000000');
  const body = JSON.stringify(renderTask(sample!, (key: string) => links.sign(key)));
  const secret = newSecret();
  const bare = new Agent({ connections: perEndpoint });
  const ceilingRuns: number[] = [];
  for (let run = 0; run < 3; run++) {
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: perEndpoint * endpointsPerClient }, async (_, lane) => {
      const url = urls[lane % urls.length];
      while (next < deliveries) {
        const n = next++;
        const ts = Math.floor(Date.now() / 1000);
        const answer = await request(url, { method: 'POST', dispatcher: bare, body, headers: {
          'content-type': 'application/json', 'webhook-id': `msg_${n}`, 'webhook-timestamp': String(ts), 'webhook-signature': signPayload([secret], `msg_${n}`, ts, body),
        } });
        await answer.body.dump();
      }
    }));
    ceilingRuns.push(deliveries / ((performance.now() - started) / 1000));
    await ask(receivers, 'take');
  }
  await bare.close();
  const ceiling = median(ceilingRuns);

  // Latency at an offered 1,000 events/s with the dispatcher running.
  const latencyEvents = latencyRate * latencySeconds;
  await makeTasks(latencyEvents / models.length);
  commits.clear();
  const live = makeDispatcher();
  live.start();
  // As workers would: events arrive on a clock, several written at once (PostgreSQL needs concurrency
  // to reach the rate; SQLite serialises them), with the event loop free in between.
  const begin = performance.now();
  let produced = 0;
  const writing = new Set<Promise<void>>();
  while (produced < latencyEvents) {
    const due = Math.min(latencyEvents, Math.floor(((performance.now() - begin) / 1000) * latencyRate) + 1);
    while (produced < due && writing.size < 32) {
      produced++;
      const write: Promise<void> = completeOne().finally(() => writing.delete(write));
      writing.add(write);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(writing);
  const offeredRate = latencyEvents / ((performance.now() - begin) / 1000);
  await waitForReceipts(latencyEvents * endpointsPerClient);
  const { log: received } = await ask<{ log: [string, number][] }>(receivers, 'take');
  if (process.env.BENCH_DEBUG) {
    const ordered = received.map(([targetId, at]) => [commits.get(targetId)!, at - commits.get(targetId)!]).sort((a, b) => a[0] - b[0]);
    console.log('latency by commit order (ms):', Array.from({ length: 10 }, (_, i) => ordered[Math.floor((i * ordered.length) / 10)][1].toFixed(0)).join(' '));
  }
  const latencies = received.map(([targetId, at]) => at - commits.get(targetId)!).filter(Number.isFinite).sort((a, b) => a - b);
  await live.stop(5000);

  await http.close();
  await wakeups.close();
  if (producerDb !== database) await producerDb.close();
  await database.close();
  receivers.send('stop');
  rmSync(dataDir, { recursive: true, force: true });

  const rate = deliveries / drainSeconds;
  console.log(`\n${name}: ${events} events x ${endpointsPerClient} endpoints = ${deliveries} deliveries (${perEndpoint} connections per endpoint)`);
  console.log(`  writing the events (TargetQueue.complete + outbox)   ${(events / produceSeconds).toFixed(0).padStart(7)} events/s`);
  console.log(`  dispatcher: render, sign, POST, record             ${rate.toFixed(0).padStart(7)} deliveries/s  (${(rate / endpointsPerClient).toFixed(0)} events/s; ${delivered} recorded delivered)  goal >= 5000`);
  console.log(`  ceiling: bare undici loop, signed, same bodies       ${ceiling.toFixed(0).padStart(7)} POSTs/s (median of 3)`);
  console.log(`  ratio to ceiling                                    ${(rate / ceiling).toFixed(2).padStart(7)}  goal >= 0.3`);
  console.log(`  latency, commit -> receipt, at ${offeredRate.toFixed(0)} events/s offered (${latencies.length} deliveries): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms  goal p99 <= 50`);
}

// BENCH_ONLY=sqlite or BENCH_ONLY=postgres runs one backend.
if (process.env.BENCH_ONLY !== 'postgres') await benchBackend('SQLite', null);
if (process.env.BENCH_ONLY !== 'sqlite') await withPostgres((url) => benchBackend('PostgreSQL', url));
