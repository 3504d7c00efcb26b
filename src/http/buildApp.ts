import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors/AppError.js';
import type { Principal } from '../services/apiKeys.js';
import { readCookie, sessionCookie } from '../services/sessions.js';
import type { AppContext } from './AppContext.js';
import { buildValidator } from './buildValidator.js';
import { adminRoutes } from './routes/adminRoutes.js';
import { accountRoutes } from './routes/accountRoutes.js';
import { assetRoutes } from './routes/assetRoutes.js';
import { dashboardRoutes } from './routes/dashboardRoutes.js';
import { fileRoutes } from './routes/fileRoutes.js';
import { modelRoutes } from './routes/modelRoutes.js';
import { opsRoutes } from './routes/opsRoutes.js';
import { taskRoutes } from './routes/taskRoutes.js';
import { listenRoutes } from './routes/listenRoutes.js';
import { webhookRoutes } from './routes/webhookRoutes.js';
import { rejectNulCharacters } from './rejectNulCharacters.js';
import { sendFrameworkError } from './sendFrameworkError.js';
import { formatSchemaErrors, toHttpError } from './toHttpError.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes without an API key: signed files, health, metrics, the OpenAPI document. */
    public?: boolean;
    /** A public route that is still rate-limited (by address): signing in. */
    limited?: boolean;
    admin?: boolean;
  }
}

/** The HTTP API of spec/api.md on Fastify: auth, rate limits, errors, every route. */
export async function buildApp(ctx: AppContext, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Per-request lines would dominate the log and the hot path; failures are logged below instead.
    logController: new LogController({ disableRequestLogging: true }),
    schemaErrorFormatter: formatSchemaErrors,
    frameworkErrors: sendFrameworkError,
    schemaController: { compilersFactory: { buildValidator: buildValidator() } },
  });
  // Response schemas (src/wire) document the answers; bodies are written by JSON.stringify so they keep
  // the renderers' key order, byte for byte the same as the webhook bodies.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('principal', null);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Stemline API', version: ctx.version, description: 'Stem separation, wire-compatible with AudioShake\'s Tasks API.' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(multipart, { limits: { files: 1, fields: 10, fileSize: ctx.config.maxUploadBytes + 1 } });

  // Authentication first, so the rate limit can key on the client's key.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public || !request.routeOptions.url) return;
    const key = request.headers['x-api-key'];
    const session = key === undefined ? readCookie(request.headers.cookie, sessionCookie) : null;
    let principal;
    if (session !== null) {
      principal = await ctx.sessions.principal(session, Date.now());
      if (!principal) throw new AppError('unauthorized', 'The dashboard session has expired or its key was revoked; sign in again.');
      // Cookie-authenticated changes need the dashboard's own header: a cross-site form cannot send it.
      if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && request.headers['x-stemline-csrf'] !== '1') {
        throw new AppError('forbidden', 'Changes made with a session cookie need the x-stemline-csrf: 1 header.');
      }
    } else principal = await ctx.auth.authenticate(typeof key === 'string' ? key : undefined);
    if (!principal) throw new AppError('unauthorized', key ? 'The x-api-key is unknown or revoked.' : 'Missing x-api-key header.');
    if (request.routeOptions.config?.admin && !principal.admin) throw new AppError('forbidden', 'This route needs an admin key.');
    request.principal = principal;
  });
  await app.register(rateLimit, {
    global: true,
    max: ctx.config.rateLimit,
    timeWindow: 1000,
    keyGenerator: (request: FastifyRequest) => request.principal?.keyId ?? request.ip,
    allowList: (request: FastifyRequest) => Boolean(request.routeOptions.config?.public) && !request.routeOptions.config?.limited,
    errorResponseBuilder: (_request, context) => Object.assign(new Error(`Rate limit of ${context.max} requests per second per key exceeded; retry after ${Math.ceil(context.ttl / 1000)} s.`), { statusCode: 429 }),
  });

  app.addHook('preValidation', async (request) => rejectNulCharacters({ params: request.params, query: request.query, body: request.body }));

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.error({ method: request.method, route, status: reply.statusCode }, 'request failed');
  });
  app.setErrorHandler((error, request, reply) => {
    const body = toHttpError(error);
    if (body.statusCode >= 500) request.log.error({ err: error }, 'unhandled error');
    if (body.statusCode === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    if (body.statusCode === 503) reply.header('retry-after', '5');
    // Answered before the body was read (an upload refused half-way): close the connection, or the
    // unread rest of the body stalls the next request on it.
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.status(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = toHttpError(new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`));
    return reply.status(404).send(body);
  });

  await app.register(async (scope) => {
    opsRoutes(scope, ctx);
    scope.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => scope.swagger());
    fileRoutes(scope, ctx);
    modelRoutes(scope, ctx);
    assetRoutes(scope, ctx);
    taskRoutes(scope, ctx);
    adminRoutes(scope, ctx);
    listenRoutes(scope, ctx);
    webhookRoutes(scope, ctx);
    accountRoutes(scope, ctx);
    dashboardRoutes(scope, ctx);
  });
  return app;
}
