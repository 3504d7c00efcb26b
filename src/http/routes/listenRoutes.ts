import type { FastifyInstance } from 'fastify';
import { newSortableId } from '../../domain/newId.js';
import { newSecret } from '../../domain/newSecret.js';
import { buildDelivery } from '../../webhooks/buildDelivery.js';
import { renderEventBody } from '../../webhooks/renderEventBody.js';
import type { ListenDelivery, ListenReady } from '../../wire/Listen.js';
import type { AppContext } from '../AppContext.js';

/** How long a listen endpoint counts as streamed to after the last renewal, and how often it is renewed. */
const leaseMs = 30_000;
const renewMs = 10_000;
const pollMs = 250;

/**
 * GET /webhooks/listen: the calling client's webhooks as a text/event-stream, for `stemline listen`.
 * The developer's machine opens the stream, so the server never has to reach it. Events go to the
 * client's listen endpoint only while a stream is open (its real endpoints get every event as
 * always), signed with that endpoint's own secret, exactly as a real delivery would be.
 */
export function listenRoutes(app: FastifyInstance, ctx: AppContext): void {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get('/webhooks/listen', {
    schema: { summary: 'Stream of the client\'s webhooks (text/event-stream): `ready` with the secret, then one `webhook` per event with its headers and body', tags: ['webhooks'] },
  }, async (request, reply) => {
    const clientId = request.principal!.clientId;
    const started = Date.now();
    const endpoint = await ctx.repos.webhooks.openListen(clientId, newSecret(), started + leaseMs, started);
    // Message ids start with their creation time: the cursor is "from a second ago" (hosts' clocks
    // differ a little), so nothing written after the endpoint opened is missed.
    let cursor = `msg_${newSortableId(started - 1000).slice(0, 10)}`;

    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('ready', { endpointId: endpoint.id, secret: endpoint.secret } satisfies ListenReady);

    let ended = false;
    let renewedAt = started;
    const end = () => {
      if (ended) return;
      ended = true;
      open.delete(end);
      out.end();
    };
    open.add(end);
    request.raw.on('close', end);
    out.on('error', end);

    while (!ended) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      if (ended) break;
      try {
        const now = Date.now();
        if (now - renewedAt >= renewMs) {
          await ctx.repos.webhooks.openListen(clientId, endpoint.secret, now + leaseMs, now);
          renewedAt = now;
          out.write(': keep-alive\n\n');
        }
        const messages = await ctx.repos.webhooks.listenMessages(clientId, endpoint.id, cursor, 100);
        for (const message of messages) {
          const body = await renderEventBody(message.payload, ctx.links);
          const delivery = buildDelivery({ ...message, endpointId: endpoint.id, attempts: 0 }, endpoint, body, Date.now(), ctx.version);
          send('webhook', { id: message.id, event: message.event, headers: delivery.headers, body } satisfies ListenDelivery);
          cursor = message.id;
        }
      } catch (error) {
        request.log.error({ err: error }, 'listen stream failed');
        send('error', { code: 'internal', message: 'The listen stream failed; reconnect.' });
        end();
      }
    }
  });
}
