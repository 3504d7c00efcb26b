import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/AppError.js';
import type { AppContext } from '../AppContext.js';

const files: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json',
  'app.css': 'text/css; charset=utf-8',
};

/** The dashboard: a single-page app built into dist/dashboard by `npm install` (hash routes: no server fallback needed). */
export function dashboardRoutes(app: FastifyInstance, ctx: AppContext): void {
  const open = { config: { public: true }, schema: { hide: true } };
  const cache = new Map<string, Buffer>();
  const serve = async (name: string) => {
    let body = cache.get(name);
    if (!body) {
      try {
        body = await readFile(join(ctx.dashboardDir, name));
      } catch {
        throw new AppError('not_found', `The dashboard is not built (${name} missing in ${ctx.dashboardDir}); run npm run build.`);
      }
      cache.set(name, body);
    }
    return body;
  };
  app.get('/dashboard', open, async (_request, reply) => reply.redirect('/dashboard/'));
  app.get('/dashboard/', open, async (_request, reply) => reply
    .header('content-security-policy', "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: http: https:; connect-src 'self' http: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    .header('cache-control', 'no-cache').type(files['index.html']).send(await serve('index.html')));
  app.get<{ Params: { file: string } }>('/dashboard/:file', open, async (request, reply) => {
    const type = files[request.params.file];
    if (!type || request.params.file === 'index.html') throw new AppError('not_found', `No dashboard file '${request.params.file}'.`);
    return reply.header('cache-control', 'no-cache').type(type).send(await serve(request.params.file));
  });
}
