import type { FastifyInstance } from 'fastify';
import { newId } from '../../domain/newId.js';
import { renderClient } from '../../domain/renderClient.js';
import { renderApiKey } from '../../domain/renderApiKey.js';
import { iso } from '../../domain/renderTask.js';
import { AppError } from '../../errors/AppError.js';
import { issueKey } from '../../services/apiKeys.js';
import type { Client } from '../../domain/records.js';
import type { AppContext } from '../AppContext.js';
import { Type } from '@sinclair/typebox';
import { ApiKey, IssuedApiKey, KeyRevoked } from '../../wire/ApiKey.js';
import { Client as ClientBody } from '../../wire/Client.js';
import { CreateClientBody, CreditsBody } from '../../wire/requests.js';
import { answers, IdParams } from '../schemas.js';

/** Administration (admin keys only): clients, their keys and credits. */
export function adminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const admin = { admin: true };
  const render = renderClient;

  app.post<{ Body: { name: string; credits?: number | null } }>('/admin/clients', { config: admin, schema: { summary: 'Create a client', tags: ['admin'], body: CreateClientBody, response: answers(ClientBody) } }, async (request) => {
    const client: Client = { id: newId(), name: request.body.name, credits: request.body.credits === undefined ? 0 : request.body.credits, reserved: 0, createdAt: Date.now() };
    await ctx.repos.clients.insert(client);
    return render(client);
  });

  app.get('/admin/clients', { config: admin, schema: { summary: 'All clients', tags: ['admin'], response: answers(Type.Array(ClientBody)) } }, async () => (await ctx.repos.clients.list()).map(render));

  app.post<{ Params: { id: string } }>('/admin/clients/:id/keys', { config: admin, schema: { summary: 'Create a key (shown once)', tags: ['admin'], params: IdParams, response: answers(IssuedApiKey) } }, async (request) => {
    if (!(await ctx.repos.clients.get(request.params.id))) throw new AppError('not_found', `No client '${request.params.id}'.`);
    const issued = await issueKey(ctx.repos, request.params.id, false, Date.now());
    return { id: issued.id, key: issued.key, prefix: issued.prefix, createdAt: iso(issued.createdAt) };
  });

  app.get<{ Params: { id: string } }>('/admin/clients/:id/keys', { config: admin, schema: { summary: 'A client\'s keys (prefixes only)', tags: ['admin'], params: IdParams, response: answers(Type.Array(ApiKey)) } }, async (request) => {
    if (!(await ctx.repos.clients.get(request.params.id))) throw new AppError('not_found', `No client '${request.params.id}'.`);
    return (await ctx.repos.keys.listForClient(request.params.id)).map(renderApiKey);
  });

  app.delete<{ Params: { id: string } }>('/admin/keys/:id', { config: admin, schema: { summary: 'Revoke a key', tags: ['admin'], params: IdParams, response: answers(KeyRevoked) } }, async (request) => {
    if (request.params.id === request.principal!.keyId) throw new AppError('conflict', 'A key cannot revoke itself; use another admin key.');
    if (!(await ctx.repos.keys.revoke(request.params.id, Date.now()))) throw new AppError('not_found', `No active key '${request.params.id}'.`);
    ctx.auth.forget();
    return { id: request.params.id, revoked: true };
  });

  app.post<{ Params: { id: string }; Body: { delta: number } }>('/admin/clients/:id/credits', { config: admin, schema: { summary: 'Add (or remove) credits', tags: ['admin'], params: IdParams, body: CreditsBody, response: answers(ClientBody) } }, async (request) => {
    const client = await ctx.repos.clients.adjustCredits(request.params.id, request.body.delta, 'admin grant', Date.now());
    if (!client) throw new AppError('not_found', `No client '${request.params.id}'.`);
    return render(client);
  });
}
