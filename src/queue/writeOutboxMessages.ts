import type { Kysely } from 'kysely';
import { targetColumns, toTaskRecord } from '../db/rowMappers.js';
import type { Schema } from '../db/schema.js';
import { newSortableId } from '../domain/newId.js';
import type { WebhookEvent } from '../domain/webhookEvents.js';

/**
 * The outbox: called inside the transaction that ends a target, it snapshots the task as it now
 * stands and writes one message per enabled endpoint of the client that wants this event. The event
 * therefore exists exactly when the status change does (a crash loses neither). The snapshot is
 * stored once per event; each endpoint's message refers to it. A client's listen endpoint gets the
 * message only while a `stemline listen` stream is open. Returns how many messages were written.
 */
export async function writeOutboxMessages(tx: Kysely<Schema>, event: { clientId: string; taskId: string; targetId: string; type: WebhookEvent }, now: number): Promise<number> {
  const endpoints = (await tx.selectFrom('webhook_endpoints').select(['id', 'events', 'listen_until'])
    .where('client_id', '=', event.clientId).where('enabled', '=', 1)
    .where((eb) => eb.or([eb('listen_until', 'is', null), eb('listen_until', '>', now)])).execute())
    .filter((e) => (JSON.parse(e.events) as string[]).includes(event.type));
  if (endpoints.length === 0) return 0;
  const task = await tx.selectFrom('tasks').selectAll().where('id', '=', event.taskId).executeTakeFirstOrThrow();
  const targets = await tx.selectFrom('targets')
    .select(targetColumns)
    .where('task_id', '=', event.taskId).orderBy('position', 'asc').execute();
  const eventId = newSortableId(now);
  await tx.insertInto('webhook_events').values({ id: eventId, client_id: event.clientId, payload: JSON.stringify(toTaskRecord(task, targets)), created_at: now }).execute();
  await tx.insertInto('webhook_messages').values(endpoints.map((e) => ({
    id: `msg_${newSortableId(now)}`, endpoint_id: e.id, client_id: event.clientId, event: event.type, task_id: event.taskId, target_id: event.targetId,
    event_id: eventId, lease_owner: null, lease_expires_at: null, created_at: now,
    // A listen endpoint's message goes down the open stream, not through the dispatcher.
    ...(e.listen_until === null ? { status: 'pending' as const, next_attempt_at: now, ended_at: null } : { status: 'delivered' as const, next_attempt_at: null, ended_at: now }),
  }))).execute();
  return endpoints.length;
}
