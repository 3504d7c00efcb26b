import type { FastifyInstance } from 'fastify';
import { renderModels } from '../../domain/renderModels.js';
import { ModelList } from '../../wire/Model.js';
import type { AppContext } from '../AppContext.js';
import { answers } from '../schemas.js';

export function modelRoutes(app: FastifyInstance, ctx: AppContext): void {
  const body = renderModels(ctx.catalogue.models, { maxDurationSeconds: ctx.config.maxDurationSeconds });
  app.get('/models', { schema: { summary: 'Models this installation runs', tags: ['models'], response: answers(ModelList) } }, async () => body);
}
