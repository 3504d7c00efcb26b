import { posix } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/AppError.js';
import { contentDispositionOf, contentTypeOf } from '../../storage/contentTypeOf.js';
import type { AppContext } from '../AppContext.js';

/** GET /files/{key}?expires&signature: proxy links (local disk, or S3 with STEMLINE_LINKS=proxy), with Range support. */
export function fileRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { '*': string }; Querystring: { expires?: string; signature?: string } }>('/files/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const key = request.params['*'];
    const { expires = '', signature = '' } = request.query;
    if (!ctx.proxyLinks.verify(key, expires, signature, Math.floor(Date.now() / 1000))) {
      throw new AppError('forbidden', 'This link is expired, altered or not signed by this server; read the task again for a fresh link.');
    }
    const info = await ctx.store.stat(key);
    if (!info) throw new AppError('not_found', 'The file no longer exists.');
    const filename = posix.basename(key);
    reply.header('content-type', contentTypeOf(filename));
    reply.header('content-disposition', contentDispositionOf(filename));
    reply.header('accept-ranges', 'bytes');
    reply.header('cache-control', 'private, max-age=3600');
    const range = parseRange(request.headers.range, info.size);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${info.size}`);
      return reply.status(416).type('application/json; charset=utf-8').send({ statusCode: 416, error: 'Range Not Satisfiable', code: 'invalid_request', message: `The file has ${info.size} bytes.` });
    }
    if (range) {
      reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`).header('content-length', range.end - range.start + 1);
      return reply.send(await ctx.store.read(key, range));
    }
    reply.header('content-length', info.size);
    return reply.send(await ctx.store.read(key));
  });
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; other forms are ignored (the whole file is sent). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
