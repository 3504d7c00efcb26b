import type { FastifyInstance } from 'fastify';
import { renderClient } from '../../domain/renderClient.js';
import { renderApiKey } from '../../domain/renderApiKey.js';
import { iso } from '../../domain/renderTask.js';
import { AppError } from '../../errors/AppError.js';
import { issueKey } from '../../services/apiKeys.js';
import { readCookie, sessionCookie, sessionTtlMs } from '../../services/sessions.js';
import type { AppContext } from '../AppContext.js';
import { Type } from '@sinclair/typebox';
import { ApiKey, IssuedApiKey, KeyRevoked } from '../../wire/ApiKey.js';
import { Account, Session } from '../../wire/Client.js';
import { answers, IdParams } from '../schemas.js';

/** The caller's own account: dashboard sessions, client details, and its API keys. */
export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  const tags = ['account'];
  const secure = ctx.config.publicUrl.startsWith('https:') ? '; Secure' : '';
  const cookie = (value: string, maxAgeSeconds: number) => `${sessionCookie}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;

  app.post<{ Body: { key: string } }>('/session', {
    config: { public: true, limited: true },
    schema: { summary: 'Exchange an API key for a dashboard session cookie (HttpOnly, SameSite=Strict)', tags, body: Type.Object({ key: Type.String({ maxLength: 200 }) }), response: answers(Session) },
  }, async (request, reply) => {
    const principal = await ctx.auth.authenticate(request.body.key.trim());
    if (!principal) throw new AppError('unauthorized', 'That API key is unknown or revoked.');
    const token = ctx.sessions.issue(principal, Date.now());
    reply.header('set-cookie', cookie(token, sessionTtlMs / 1000));
    return { clientId: principal.clientId, admin: principal.admin };
  });

  // Public so that the dashboard can ask "am I signed in?" without provoking a 401.
  app.get('/session', { config: { public: true }, schema: { summary: 'The dashboard session, if any', tags, response: answers(Session) } }, async (request) => {
    const token = readCookie(request.headers.cookie, sessionCookie);
    const principal = token ? await ctx.sessions.principal(token, Date.now()) : null;
    return principal ? { signedIn: true, clientId: principal.clientId, admin: principal.admin } : { signedIn: false };
  });

  app.delete('/session', { config: { public: true }, schema: { summary: 'Sign out (clears the session cookie)', tags, response: answers(Session) } }, async (_request, reply) => {
    reply.header('set-cookie', cookie('', 0));
    return { signedIn: false };
  });

  app.get('/account', { schema: { summary: 'The calling client and key', tags, response: answers(Account) } }, async (request) => {
    const principal = request.principal!;
    const client = await ctx.repos.clients.get(principal.clientId);
    if (!client) throw new AppError('unauthorized', 'The client of this key no longer exists.');
    const key = (await ctx.repos.keys.listForClient(client.id)).find((k) => k.id === principal.keyId);
    return { client: renderClient(client), key: key ? renderApiKey(key) : null };
  });

  app.get('/keys', { schema: { summary: 'The calling client\'s API keys (prefixes only)', tags, response: answers(Type.Array(ApiKey)) } }, async (request) => {
    return (await ctx.repos.keys.listForClient(request.principal!.clientId)).map(renderApiKey);
  });

  app.post('/keys', { schema: { summary: 'A new API key for the calling client (shown once)', tags, response: answers(IssuedApiKey) } }, async (request) => {
    const issued = await issueKey(ctx.repos, request.principal!.clientId, false, Date.now());
    return { id: issued.id, key: issued.key, prefix: issued.prefix, admin: false, createdAt: iso(issued.createdAt), revokedAt: null };
  });

  app.delete<{ Params: { id: string } }>('/keys/:id', { schema: { summary: 'Revoke one of the calling client\'s keys', tags, params: IdParams, response: answers(KeyRevoked) } }, async (request) => {
    const principal = request.principal!;
    if (request.params.id === principal.keyId) throw new AppError('conflict', 'A key cannot revoke itself; sign in with another key first.');
    const own = (await ctx.repos.keys.listForClient(principal.clientId)).find((k) => k.id === request.params.id && k.revokedAt === null);
    if (!own) throw new AppError('not_found', `No active key '${request.params.id}'.`);
    await ctx.repos.keys.revoke(own.id, Date.now());
    ctx.auth.forget();
    return { id: own.id, revoked: true };
  });
}
