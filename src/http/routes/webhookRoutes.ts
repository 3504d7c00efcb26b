import type { FastifyInstance } from 'fastify';
import { renderEndpoint, renderMessage } from '../../domain/renderWebhook.js';
import { AppError } from '../../errors/AppError.js';
import { createEndpoint, rotateEndpointSecret, updateEndpoint } from '../../services/webhookEndpoints.js';
import type { AppContext } from '../AppContext.js';
import { Type } from '@sinclair/typebox';
import { Deleted } from '../../wire/Deleted.js';
import { Endpoint } from '../../wire/Endpoint.js';
import { Message, MessageQueued, Recovered, type MessageStatus } from '../../wire/Message.js';
import { CreateEndpointBody, MessageQuery, RecoverBody, UpdateEndpointBody } from '../../wire/requests.js';
import { answers, IdParams, MessageParams } from '../schemas.js';

/** Webhook endpoints of the calling client, their message log, retry and recover (spec/api.md). */
export function webhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { repos: ctx.repos, checkUrl: ctx.checkUrl };
  const tags = ['webhooks'];
  const noEndpoint = (id: string) => new AppError('not_found', `No webhook endpoint '${id}'.`);
  const requireEndpoint = async (clientId: string, id: string) => {
    if (!(await ctx.repos.webhooks.get(clientId, id))) throw noEndpoint(id);
  };

  app.get('/webhooks', { schema: { summary: 'Webhook endpoints', tags, response: answers(Type.Array(Endpoint)) } }, async (request) => {
    const now = Date.now();
    return (await ctx.repos.webhooks.list(request.principal!.clientId)).map((e) => renderEndpoint(e, now));
  });

  // 200 with a body throughout, like the rest of this API (AudioShake clients expect 200).
  app.post('/webhooks', { schema: { summary: 'Add an endpoint; the answer carries its whsec_ secret', tags, body: CreateEndpointBody, response: answers(Endpoint) } }, async (request) => {
    const endpoint = await createEndpoint(deps, request.principal!.clientId, request.body, Date.now());
    return renderEndpoint(endpoint, Date.now());
  });

  app.get<{ Params: { id: string } }>('/webhooks/:id', { schema: { summary: 'One endpoint', tags, params: IdParams, response: answers(Endpoint) } }, async (request) => {
    const endpoint = await ctx.repos.webhooks.get(request.principal!.clientId, request.params.id);
    if (!endpoint) throw noEndpoint(request.params.id);
    return renderEndpoint(endpoint, Date.now());
  });

  app.patch<{ Params: { id: string } }>('/webhooks/:id', { schema: { summary: 'Change url, events, description; enable or disable', tags, params: IdParams, body: UpdateEndpointBody, response: answers(Endpoint) } }, async (request) => {
    const endpoint = await updateEndpoint(deps, request.principal!.clientId, request.params.id, request.body, Date.now());
    if (endpoint.enabled) await ctx.notifyWebhooks();
    return renderEndpoint(endpoint, Date.now());
  });

  app.delete<{ Params: { id: string } }>('/webhooks/:id', { schema: { summary: 'Delete an endpoint and its message log', tags, params: IdParams, response: answers(Deleted) } }, async (request) => {
    if (!(await ctx.repos.webhooks.delete(request.principal!.clientId, request.params.id))) throw noEndpoint(request.params.id);
    return { id: request.params.id, deleted: true };
  });

  app.post<{ Params: { id: string } }>('/webhooks/:id/rotate-secret', { schema: { summary: 'New secret; the old one also signs for 24 h', tags, params: IdParams, response: answers(Endpoint) } }, async (request) => {
    const endpoint = await rotateEndpointSecret(deps, request.principal!.clientId, request.params.id, Date.now());
    return renderEndpoint(endpoint, Date.now());
  });

  app.post<{ Params: { id: string } }>('/webhooks/:id/test', { schema: { summary: 'Send a webhook.test message (an example Task) through the normal delivery path', tags, params: IdParams, response: answers(MessageQueued) } }, async (request) => {
    const now = Date.now();
    const clientId = request.principal!.clientId;
    const example = {
      id: `test_${now}`, clientId, createdAt: now, completedAt: now, assetId: null, url: 'https://example.com/stemline-webhook-test.wav', metadata: 'Stemline webhook test',
      targets: [{ id: `test_${now}_vocals`, model: 'vocals', status: 'completed', formats: ['wav'], residual: null, variant: null, language: null, cost: 0, duration: 0, error: null, outputs: [] }],
    };
    const id = await ctx.repos.webhooks.enqueueTest(clientId, request.params.id, JSON.stringify(example), now);
    if (!id) throw noEndpoint(request.params.id);
    await ctx.notifyWebhooks();
    return { id, status: 'pending' };
  });

  app.get<{ Params: { id: string }; Querystring: { skip?: number; take?: number; status?: MessageStatus } }>('/webhooks/:id/messages', {
    schema: { summary: 'Messages of an endpoint with every attempt, newest first', tags, params: IdParams, querystring: MessageQuery, response: answers(Type.Array(Message)) },
  }, async (request) => {
    const clientId = request.principal!.clientId;
    await requireEndpoint(clientId, request.params.id);
    const messages = await ctx.repos.webhooks.messages(clientId, request.params.id, { skip: request.query.skip ?? 0, take: request.query.take ?? 20, status: request.query.status });
    return messages.map(renderMessage);
  });

  app.post<{ Params: { id: string; messageId: string } }>('/webhooks/:id/messages/:messageId/retry', { schema: { summary: 'Redeliver one message now', tags, params: MessageParams, response: answers(MessageQueued) } }, async (request) => {
    const clientId = request.principal!.clientId;
    await requireEndpoint(clientId, request.params.id);
    if (!(await ctx.repos.webhooks.retry(clientId, request.params.id, request.params.messageId, Date.now()))) {
      throw new AppError('not_found', `No message '${request.params.messageId}' for endpoint '${request.params.id}'.`);
    }
    await ctx.notifyWebhooks();
    return { id: request.params.messageId, status: 'pending' };
  });

  app.post<{ Params: { id: string }; Body: { since: string } }>('/webhooks/:id/recover', { schema: { summary: 'Redeliver every failed message since a time', tags, params: IdParams, body: RecoverBody, response: answers(Recovered) } }, async (request) => {
    const since = Date.parse(request.body.since);
    if (Number.isNaN(since)) throw new AppError('invalid_request', 'since: an ISO 8601 time such as 2026-03-01T00:00:00Z.');
    await requireEndpoint(request.principal!.clientId, request.params.id);
    const count = await ctx.repos.webhooks.recover(request.principal!.clientId, request.params.id, since, Date.now());
    if (count > 0) await ctx.notifyWebhooks();
    return { recovered: count };
  });
}
