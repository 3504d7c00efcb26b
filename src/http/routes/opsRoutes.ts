import type { FastifyInstance } from 'fastify';
import { redactPaths } from '../../errors/redactPaths.js';
import type { AppContext } from '../AppContext.js';
import { toHttpError } from '../toHttpError.js';

/** Health, readiness and Prometheus metrics, no API key: on the API, and alone on a worker or dispatcher host's ops port. */
export function opsRoutes(app: FastifyInstance, ctx: Pick<AppContext, 'ready' | 'metrics'>): void {
  const open = { config: { public: true }, schema: { hide: true } };
  app.get('/healthz', open, async () => ({ status: 'ok' }));
  app.get('/readyz', open, async (_request, reply) => {
    try {
      await ctx.ready();
      return { status: 'ready' };
    } catch (error) {
      const body = toHttpError(error);
      const cause = body.statusCode === 503 ? body.message : redactPaths((error as Error).message);
      return reply.status(503).header('retry-after', '5').send({ statusCode: 503, error: 'Service Unavailable', code: body.code === 'storage_full' ? 'storage_full' : 'unavailable', message: `Not ready: ${cause}` });
    }
  });
  app.get('/metrics', open, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
