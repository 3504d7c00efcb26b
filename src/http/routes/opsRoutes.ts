import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../AppContext.js';

/** Health, readiness, Prometheus metrics and the OpenAPI document: no API key. */
export function opsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const open = { config: { public: true }, schema: { hide: true } };
  app.get('/healthz', open, async () => ({ status: 'ok' }));
  app.get('/readyz', open, async (_request, reply) => {
    try {
      await ctx.ready();
      return { status: 'ready' };
    } catch (error) {
      return reply.status(503).send({ statusCode: 503, error: 'Service Unavailable', code: 'unavailable', message: `Not ready: ${(error as Error).message}` });
    }
  });
  app.get('/metrics', open, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
  app.get('/openapi.json', open, async () => app.swagger());
}
