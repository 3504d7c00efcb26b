import { sql, type Kysely, type Selectable } from 'kysely';
import type { WebhookEndpoint } from '../domain/records.js';
import { newSortableId } from '../domain/newId.js';
import { webhookEvents } from '../domain/webhookEvents.js';
import { toEndpoint } from './rowMappers.js';
import type { WebhooksPort } from '../services/ports.js';
import type { Schema, WebhookEndpointsTable } from './schema.js';

/** The WebhooksPort on Kysely (both dialects). Every query is scoped to the calling client. */
export function createWebhookRepository(db: Kysely<Schema>): WebhooksPort {
  const get = async (clientId: string, id: string) => {
    const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('client_id', '=', clientId).where('listen_until', 'is', null).executeTakeFirst();
    return row ? toEndpoint(row) : null;
  };

  return {
    async insert(e, maxPerClient = Number.POSITIVE_INFINITY) {
      return db.transaction().execute(async (tx) => {
        // A no-op write locks the client row (PostgreSQL) or takes the write lock (SQLite): concurrent
        // creations for one client count one after another, so the limit holds.
        await tx.updateTable('clients').set({ id: sql<string>`id` }).where('id', '=', e.clientId).execute();
        const { n } = await tx.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<number>().as('n')).where('client_id', '=', e.clientId).where('listen_until', 'is', null).executeTakeFirstOrThrow();
        if (Number(n) >= maxPerClient) return false;
        await insertEndpoint(tx, e);
        return true;
      });
    },
    async list(clientId) {
      const rows = await db.selectFrom('webhook_endpoints').selectAll().where('client_id', '=', clientId).where('listen_until', 'is', null).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
      return rows.map(toEndpoint);
    },
    get,
    async update(clientId, id, patch, now) {
      const set: Partial<Selectable<WebhookEndpointsTable>> = { updated_at: now };
      if (patch.url !== undefined) set.url = patch.url;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.events !== undefined) set.events = JSON.stringify(patch.events);
      if (patch.enabled === true) Object.assign(set, { enabled: 1, disabled_reason: null, failing_since: null });
      if (patch.enabled === false) Object.assign(set, { enabled: 0, disabled_reason: 'Disabled by the client.' });
      const row = await db.updateTable('webhook_endpoints').set(set).where('id', '=', id).where('client_id', '=', clientId).where('listen_until', 'is', null).returningAll().executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },
    async delete(clientId, id) {
      // Messages and attempts go with it: ON DELETE CASCADE (SQLite runs with foreign_keys on).
      const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).where('client_id', '=', clientId).where('listen_until', 'is', null).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async rotateSecret(clientId, id, secret, previousUntil, now) {
      // The right-hand sides see the row as it was: the old secret becomes the previous one.
      const row = await db.updateTable('webhook_endpoints').set({ secret, previous_secret: sql<string>`secret`, previous_secret_until: previousUntil, updated_at: now })
        .where('id', '=', id).where('client_id', '=', clientId).where('listen_until', 'is', null).returningAll().executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },
    async messages(clientId, endpointId, query) {
      let q = db.selectFrom('webhook_messages').select(['id', 'endpoint_id', 'event', 'task_id', 'target_id', 'status', 'created_at', 'next_attempt_at'])
        .where('endpoint_id', '=', endpointId).where('client_id', '=', clientId);
      if (query.status) q = q.where('status', '=', query.status);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').offset(query.skip).limit(query.take).execute();
      if (rows.length === 0) return [];
      const attempts = await db.selectFrom('webhook_attempts').selectAll().where('message_id', 'in', rows.map((r) => r.id)).orderBy('attempt', 'asc').orderBy('at', 'asc').execute();
      const byMessage = new Map<string, typeof attempts>();
      for (const a of attempts) byMessage.set(a.message_id, [...(byMessage.get(a.message_id) ?? []), a]);
      return rows.map((r) => ({
        id: r.id, endpointId: r.endpoint_id, event: r.event, taskId: r.task_id, targetId: r.target_id, status: r.status,
        createdAt: Number(r.created_at), nextAttemptAt: r.status === 'pending' && r.next_attempt_at !== null ? Number(r.next_attempt_at) : null,
        attempts: (byMessage.get(r.id) ?? []).map((a) => ({
          attempt: Number(a.attempt), at: Number(a.at), statusCode: a.status_code === null ? null : Number(a.status_code),
          durationMs: Number(a.duration_ms), error: a.error, response: a.response,
        })),
      }));
    },
    async retry(clientId, endpointId, messageId, now) {
      const result = await db.updateTable('webhook_messages').set({ status: 'pending', next_attempt_at: now, ended_at: null })
        .where('id', '=', messageId).where('endpoint_id', '=', endpointId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async enqueueTest(clientId, endpointId, payload, now) {
      if (!(await get(clientId, endpointId))) return null;
      const eventId = newSortableId(now);
      const id = `msg_${newSortableId(now)}`;
      const task = JSON.parse(payload) as { id: string; targets: { id: string }[] };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('webhook_events').values({ id: eventId, client_id: clientId, payload, created_at: now }).execute();
        await tx.insertInto('webhook_messages').values({
          id, endpoint_id: endpointId, client_id: clientId, event: 'webhook.test', task_id: task.id, target_id: task.targets[0]?.id ?? '',
          event_id: eventId, status: 'pending', next_attempt_at: now, lease_owner: null, lease_expires_at: null, created_at: now, ended_at: null,
        }).execute();
      });
      return id;
    },
    async recover(clientId, endpointId, since, now) {
      const result = await db.updateTable('webhook_messages').set({ status: 'pending', next_attempt_at: now, ended_at: null })
        .where('endpoint_id', '=', endpointId).where('client_id', '=', clientId).where('status', '=', 'failed').where('created_at', '>=', since).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async openListen(clientId, secret, until, now) {
      // One listen endpoint per client, with a fixed id, so concurrent first listens create one row.
      const id = `lsn_${clientId}`;
      await db.insertInto('webhook_endpoints').values({
        id, client_id: clientId, url: 'stemline-listen:', description: 'stemline listen', events: JSON.stringify(webhookEvents), secret,
        previous_secret: null, previous_secret_until: null, enabled: 1, disabled_reason: null, failing_since: null, created_at: now, updated_at: now, listen_until: until,
      }).onConflict((oc) => oc.column('id').doUpdateSet({ listen_until: until })).execute();
      return toEndpoint(await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    },
    async listenMessages(clientId, endpointId, afterId, limit) {
      const rows = await db.selectFrom('webhook_messages as m').innerJoin('webhook_events as e', 'e.id', 'm.event_id')
        .select(['m.id', 'm.event', 'm.task_id', 'm.target_id', 'm.created_at', 'e.payload'])
        .where('m.endpoint_id', '=', endpointId).where('m.client_id', '=', clientId).where('m.id', '>', afterId)
        .orderBy('m.id', 'asc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, event: r.event, taskId: r.task_id, targetId: r.target_id, createdAt: Number(r.created_at), payload: r.payload }));
    },
  };
}

async function insertEndpoint(db: Kysely<Schema>, e: WebhookEndpoint): Promise<void> {
  await db.insertInto('webhook_endpoints').values({
    id: e.id, client_id: e.clientId, url: e.url, description: e.description, events: JSON.stringify(e.events), secret: e.secret,
    previous_secret: e.previousSecret, previous_secret_until: e.previousSecretUntil, enabled: e.enabled ? 1 : 0,
    disabled_reason: e.disabledReason, failing_since: e.failingSince, created_at: e.createdAt, updated_at: e.updatedAt,
  }).execute();
}
