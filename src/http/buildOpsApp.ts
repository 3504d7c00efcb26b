import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors/AppError.js';
import type { AppContext } from './AppContext.js';
import { opsRoutes } from './routes/opsRoutes.js';
import { sendFrameworkError } from './sendFrameworkError.js';
import { toHttpError } from './toHttpError.js';

/**
 * The HTTP server of a process without the api role (STEMLINE_OPS_PORT): /healthz, /readyz and
 * /metrics only, so a worker or dispatcher host can be health-checked and scraped like an API host.
 */
export async function buildOpsApp(ctx: Pick<AppContext, 'ready' | 'metrics'>, roles: string, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024,
    frameworkErrors: sendFrameworkError,
  });
  app.setErrorHandler((error, _request, reply) => {
    const body = toHttpError(error);
    return reply.status(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = toHttpError(new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}: this process runs the ${roles} role, and its ops port serves only /healthz, /readyz and /metrics.`));
    return reply.status(404).send(body);
  });
  opsRoutes(app, ctx);
  return app;
}
