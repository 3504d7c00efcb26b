import type { FastifyInstance } from 'fastify';
import { builtInModels } from '../../domain/modelCatalogue.js';
import { renderModels } from '../../domain/renderModels.js';
import type { AppContext } from '../AppContext.js';

export function modelRoutes(app: FastifyInstance, ctx: AppContext): void {
  const body = renderModels(builtInModels, { maxDurationSeconds: ctx.config.maxDurationSeconds });
  app.get('/models', { schema: { summary: 'Models this installation runs', tags: ['models'] } }, async () => body);
}
