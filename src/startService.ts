import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { detectInputFormat } from './audio/detectInputFormat.js';
import { loadEngines } from './audio/models/loadEngines.js';
import { shippedModelsDir } from './audio/models/shippedModelsDir.js';
import { buildCatalogue } from './domain/buildCatalogue.js';
import { createEngines } from './audio/pipeline/createEngines.js';
import { SeparationPool } from './audio/pool/SeparationPool.js';
import { probeMedia } from './audio/probeMedia.js';
import { resolveFfmpegPath } from './audio/resolveFfmpegPath.js';
import type { Config } from './config/Config.js';
import { createRepositories } from './db/createRepositories.js';
import { ensureFirstClientOnce } from './db/ensureFirstClientOnce.js';
import { openDatabase, type Database } from './db/openDatabase.js';
import { buildApp } from './http/buildApp.js';
import { buildOpsApp } from './http/buildOpsApp.js';
import { AppError, isAppError } from './errors/AppError.js';
import { createMetrics } from './metrics/createMetrics.js';
import { FetchQueue } from './queue/fetchQueue.js';
import { MessageQueue } from './queue/messageQueue.js';
import { runHousekeeping } from './queue/runHousekeeping.js';
import { startPeriodic } from './queue/startPeriodic.js';
import { TargetQueue } from './queue/targetQueue.js';
import { TargetWorker } from './queue/TargetWorker.js';
import { Wakeups } from './queue/Wakeups.js';
import { createAuthenticator } from './services/apiKeys.js';
import { createSessions } from './services/sessions.js';
import { openStorage } from './storage/openStorage.js';
import { checkUrlAllowed, createGuardedAgent } from './webhooks/egressGuard.js';
import { WebhookDispatcher } from './webhooks/WebhookDispatcher.js';

export const version = '0.1.0';

export interface Service {
  /** The API's address (api role). */
  url: string | null;
  /** The ops port's address of a process without the api role (STEMLINE_OPS_PORT). */
  opsUrl: string | null;
  /** Set when this start created the first client with a generated admin key (print it once). */
  generatedAdminKey: string | null;
  database: Database;
  app: FastifyInstance | null;
  worker: TargetWorker | null;
  dispatcher: WebhookDispatcher | null;
  log: Logger;
  /** Graceful: stop taking work, finish or release what is held, close everything. */
  stop(graceMs?: number): Promise<void>;
}

/** The composition root: builds adapters from the config and starts the configured roles. */
export async function startService(config: Readonly<Config>, options: { logger?: Logger } = {}): Promise<Service> {
  const log = options.logger ?? pino({
    level: config.logLevel,
    redact: { paths: ['req.headers["x-api-key"]', 'headers["x-api-key"]', 'key', '*.key', 'secret', '*.secret'], censor: '[redacted]' },
  });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const cleanups: (() => Promise<void>)[] = [() => database.close()];
  let app: FastifyInstance | null = null;
  try {
    const repos = createRepositories(database.db);
    const linkSecret = await repos.settings.putIfAbsent('link_secret', randomBytes(32).toString('hex'));
    let publicUrl = config.publicUrl;
    const storage = await openStorage(config, { publicUrl: () => publicUrl, linkSecret });
    cleanups.push(async () => storage.close());
    const { store, links, proxyLinks } = storage;
    const first = await ensureFirstClientOnce(database, config.adminKey, Date.now());
    // Only the API (variants, GET /models) and the workers (running them) read the models folder: a
    // dispatcher-only process does not open every model file at start.
    const { models, catalogue } = config.roles.has('api') || config.roles.has('worker')
      ? await loadEngines([...(config.shippedModels ? [shippedModelsDir] : []), config.modelsDir ?? join(config.dataDir, 'models')], config.defaultEngines, log)
      : { models: [], catalogue: buildCatalogue([]) };
    const wakeups = new Wakeups(database.pool, 'stemline_targets', log);
    const webhookWakeups = new Wakeups(database.pool, 'stemline_webhooks', log);
    await wakeups.start();
    cleanups.unshift(() => wakeups.close());
    await webhookWakeups.start();
    cleanups.unshift(() => webhookWakeups.close());
    const notifyWebhooks = () => webhookWakeups.notify();
    const queue = new TargetQueue(database.db, database.profile, () => void notifyWebhooks());
    const messages = new MessageQueue(database.db, database.profile);
    const fetches = new FetchQueue(database.db, database.profile, queue);
    const egress = { allowPrivate: config.allowPrivateNetworks, allowedNetworks: config.allowedNetworks };
    const ffmpegPath = resolveFfmpegPath(config.ffmpegPath ? { STEMLINE_FFMPEG: config.ffmpegPath } : {});
    const metrics = createMetrics({
      queueDepth: () => queue.depth(),
      targetsByStatus: async () => {
        const rows = await database.db.selectFrom('targets').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
        return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      },
      webhooksPending: () => messages.pending(),
    });

    let worker: TargetWorker | null = null;
    if (config.roles.has('worker')) {
      const pool = new SeparationPool(config.separationThreads ?? undefined);
      const fetchAgent = createGuardedAgent({ policy: egress });
      cleanups.unshift(async () => {
        await pool.close();
        await fetchAgent.close();
      });
      worker = new TargetWorker(queue, fetches, {
        queue, store, ffmpegPath, catalogue, dispatcher: fetchAgent,
        engines: createEngines({ separate: (r) => pool.separate(r), runSegment: (r) => pool.runSegment(r), concurrency: pool.size + 1, models }),
        maxDurationSeconds: config.maxDurationSeconds, maxInputBytes: config.maxUploadBytes, fetchTimeoutMs: config.fetchTimeoutMs,
      }, wakeups, {
        concurrency: config.workerConcurrency, fetchConcurrency: config.fetchConcurrency, leaseMs: config.leaseMs, maxAttempts: config.maxAttempts,
        pollMs: database.profile.notify ? 5000 : 1000,
      }, log.child({ role: 'worker' }), {
        ended(target, status) {
          metrics.targetsEnded.inc({ status, model: target.model });
        },
        passed(targets, durationSeconds, timing) {
          metrics.separationPasses.inc();
          metrics.separationPassSeconds.inc(timing.passMs / 1000);
          metrics.storageSeconds.inc({ operation: 'read' }, timing.storageMs.read / 1000);
          metrics.storageSeconds.inc({ operation: 'write' }, timing.storageMs.write / 1000);
          metrics.separationPassTargets.inc(targets);
          metrics.separationSeconds.inc(durationSeconds);
        },
      });
    }

    let dispatcher: WebhookDispatcher | null = null;
    if (config.roles.has('dispatcher')) {
      const http = createGuardedAgent({ policy: egress, connections: config.webhookEndpointConcurrency });
      cleanups.unshift(() => http.close());
      dispatcher = new WebhookDispatcher(messages, { http, links, wakeups: webhookWakeups }, {
        timeoutMs: config.webhookTimeoutMs, retryScheduleMs: config.webhookRetryScheduleMs, disableAfterMs: config.webhookDisableAfterMs,
        perEndpoint: config.webhookEndpointConcurrency, maxInFlight: config.webhookConcurrency, pollMs: 500, version,
      }, log.child({ role: 'dispatcher' }), {
        attempt(message, result, outcome) {
          metrics.webhookAttempts.inc({ outcome });
          metrics.webhookLatency.observe({ outcome }, result.durationMs / 1000);
          if (outcome === 'delivered') metrics.webhookCommitToReceipt.observe(Math.max(0, Date.now() - message.createdAt) / 1000);
        },
      });
    }

    // Readiness: the database answers, and storage takes a write where this process writes files
    // (uploads, outputs); a dispatcher-only process needs only the database.
    const ready = async () => {
      await database.db.selectFrom('settings').select('key').limit(1).execute();
      if (config.roles.has('api') || worker) await store.checkWritable();
    };
    let url: string | null = null;
    let opsUrl: string | null = null;
    if (config.roles.has('api')) {
      const auth = createAuthenticator(repos);
      const sessions = createSessions(auth, await repos.settings.putIfAbsent('session_secret', randomBytes(32).toString('hex')));
      app = await buildApp({
        config, repos, store, links, proxyLinks, catalogue, auth, sessions, metrics, version, dashboardDir: dashboardDir(),
        identify: async (file) => {
          try {
            const info = await probeMedia(ffmpegPath, file);
            const format = detectInputFormat(info);
            return format ? { format, durationSeconds: info.durationSeconds } : null;
          } catch (error) {
            // A cut-off upload is media, just incomplete: say so rather than "not media".
            if (isAppError(error) && error.code === 'media_truncated') throw error;
            return null;
          }
        },
        checkUrl: (u) => checkUrlAllowed(u, egress),
        notify: () => wakeups.notify(),
        notifyWebhooks,
        ready,
      }, log.child({ role: 'api' }));
      url = await listen(app, config.host, config.port);
      // Port 0 (tests) picks a free port: links must name the real one.
      if (config.port === 0 && config.publicUrlDefaulted) publicUrl = url;
    } else if (config.opsPort !== null) {
      app = await buildOpsApp({ metrics, ready }, [...config.roles].join(','), log.child({ role: 'ops' }));
      opsUrl = await listen(app, config.host, config.opsPort);
    }

    // Loops start last: a start-up that fails (a taken port) must not leave them running.
    worker?.start();
    dispatcher?.start();
    if (worker || dispatcher) {
      const housekeeping = startPeriodic(() => runHousekeeping({ queue, fetches, messages, repos, store, log }, {
        maxAttempts: config.maxAttempts, outputTtlSeconds: config.outputTtlSeconds, scratchMaxAgeMs: 6 * 3600_000, webhookLogRetentionMs: config.webhookLogRetentionMs,
      }), { intervalMs: Math.max(1000, Math.floor(config.leaseMs / 2)), name: 'housekeeping' }, log);
      cleanups.unshift(() => housekeeping.stop());
    }

    let stopping: Promise<void> | null = null;
    return {
      url, opsUrl, generatedAdminKey: first?.generatedKey ?? null, database, app, worker, dispatcher, log,
      stop(graceMs = 30_000) {
        stopping ??= (async () => {
          // Stop claiming and stop listening at once; requests in flight get the same grace period,
          // then their connections are cut (a client that never reads must not block shutdown).
          await Promise.all([closeHttp(app, graceMs), worker?.stop(graceMs), dispatcher?.stop(Math.min(graceMs, config.webhookTimeoutMs))]);
          for (const cleanup of cleanups) await cleanup().catch((error) => log.error({ err: error }, 'shutdown step failed'));
        })();
        return stopping;
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

/** Listens, turning the usual failures into one clear line for the operator. */
async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE') throw new AppError('unavailable', `Cannot listen on ${where}: the port is already in use by another process. Stop it, or choose another port (STEMLINE_PORT or --port).`, { cause: error });
    if (code === 'EACCES') throw new AppError('unavailable', `Cannot listen on ${where}: permission denied (ports below 1024 need privileges). Choose another port (STEMLINE_PORT or --port).`, { cause: error });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new AppError('unavailable', `Cannot listen on ${where}: no such address on this machine (STEMLINE_HOST or --host).`, { cause: error });
    throw error;
  }
}

async function closeHttp(app: FastifyInstance | null, graceMs: number): Promise<void> {
  if (!app) return;
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

/** The built dashboard: beside this file in dist/, or dist/dashboard when running from src/ (tests). */
function dashboardDir(): string {
  const here = join(import.meta.dirname, 'dashboard');
  return existsSync(join(here, 'app.js')) ? here : join(import.meta.dirname, '..', 'dist', 'dashboard');
}
