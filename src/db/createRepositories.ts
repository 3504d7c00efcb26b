import { sql, type Kysely } from 'kysely';
import type { Repositories } from '../services/ports.js';
import { maxBalance, waitingForInput } from '../domain/limits.js';
import { newId } from '../domain/newId.js';
import { AppError } from '../errors/AppError.js';
import { createWebhookRepository } from './createWebhookRepository.js';
import { targetColumns, toAsset, toClient, toKey, toTaskRecord, type RenderedTargetRow } from './rowMappers.js';
import type { Schema } from './schema.js';

/** The Repositories port on Kysely: the same queries for SQLite and PostgreSQL. */
export function createRepositories(db: Kysely<Schema>): Repositories {
  return {
    clients: {
      async insert(client) {
        await db.insertInto('clients').values({ id: client.id, name: client.name, credits: client.credits, created_at: client.createdAt }).execute();
      },
      async get(id) {
        const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? toClient(row) : null;
      },
      async list() {
        return (await db.selectFrom('clients').selectAll().orderBy('created_at', 'asc').execute()).map(toClient);
      },
      async count() {
        const row = await db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        return Number(row.n);
      },
      async adjustCredits(id, delta, reason, now) {
        return db.transaction().execute(async (tx) => {
          const updated = await tx.updateTable('clients').set({ credits: sql<number>`credits + ${delta}` }).where('id', '=', id).where('credits', 'is not', null)
            .where(sql<boolean>`abs(credits + ${delta}) <= ${maxBalance}`).executeTakeFirst();
          const row = await tx.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
          if (!row) return null;
          if (Number(updated.numUpdatedRows) === 0 && row.credits !== null) {
            throw new AppError('invalid_argument', `delta: the balance would be ${Number(row.credits) + delta}; balances stay within ±${maxBalance}.`);
          }
          if (Number(updated.numUpdatedRows) > 0) {
            await tx.insertInto('credit_ledger').values({ id: newId(), client_id: id, delta, reason, target_id: null, created_at: now }).execute();
          }
          return toClient(row);
        });
      },
    },
    keys: {
      async insert(key) {
        await db.insertInto('api_keys').values({
          id: key.id, client_id: key.clientId, prefix: key.prefix, hash: key.hash, admin: key.admin ? 1 : 0,
          created_at: key.createdAt, revoked_at: key.revokedAt,
        }).execute();
      },
      async findActiveByPrefix(prefix) {
        return (await db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).where('revoked_at', 'is', null).execute()).map(toKey);
      },
      async revoke(id, now) {
        const result = await db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },
      async getActive(id) {
        const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
        return row ? toKey(row) : null;
      },
      async findByHash(hash) {
        const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
        return row ? toKey(row) : null;
      },
      async listForClient(clientId) {
        return (await db.selectFrom('api_keys').selectAll().where('client_id', '=', clientId).orderBy('created_at', 'asc').execute()).map(toKey);
      },
    },
    assets: {
      async insert(asset) {
        await db.insertInto('assets').values({
          id: asset.id, client_id: asset.clientId, name: asset.name, format: asset.format, storage_key: asset.storageKey,
          size_bytes: asset.sizeBytes, duration_seconds: asset.durationSeconds, created_at: asset.createdAt, expires_at: asset.expiresAt,
        }).execute();
      },
      async get(clientId, id, now) {
        const row = await db.selectFrom('assets').selectAll().where('id', '=', id).where('client_id', '=', clientId).where('expires_at', '>', now).executeTakeFirst();
        return row ? toAsset(row) : null;
      },
      async list(clientId, skip, take, now) {
        const rows = await db.selectFrom('assets').selectAll().where('client_id', '=', clientId).where('expires_at', '>', now)
          .orderBy('created_at', 'desc').orderBy('id', 'desc').offset(skip).limit(take).execute();
        return rows.map(toAsset);
      },
      async delete(clientId, id) {
        const row = await db.deleteFrom('assets').where('id', '=', id).where('client_id', '=', clientId).returningAll().executeTakeFirst();
        return row ? toAsset(row) : null;
      },
      async takeExpired(now, limit) {
        const ids = (await db.selectFrom('assets').select('id').where('expires_at', '<=', now).limit(limit).execute()).map((r) => r.id);
        if (ids.length === 0) return [];
        return (await db.deleteFrom('assets').where('id', 'in', ids).returningAll().execute()).map(toAsset);
      },
    },
    tasks: {
      async create(task) {
        return db.transaction().execute(async (tx) => {
          // Check and reserve in one statement: concurrent creations cannot both see the same balance.
          if (task.checkCredits) {
            const reserved = task.targets.reduce((sum, t) => sum + t.reserved, 0);
            const held = await tx.updateTable('clients').set({ reserved: sql<number>`reserved + ${reserved}` })
              .where('id', '=', task.clientId).where((eb) => eb.or([eb('credits', 'is', null), eb(sql<number>`credits - reserved`, '>', 0)])).executeTakeFirst();
            if (Number(held.numUpdatedRows) === 0) return false;
          }
          const download = task.url !== null && task.inputKey === null;
          await tx.insertInto('tasks').values({
            id: task.id, client_id: task.clientId, created_at: task.createdAt, completed_at: null, asset_id: task.assetId,
            url: task.url, metadata: task.metadata, input_key: task.inputKey, fetch_available_at: download ? task.createdAt : null,
          }).execute();
          await tx.insertInto('targets').values(task.targets.map((t) => ({
            id: t.id, task_id: task.id, client_id: task.clientId, position: t.position, model: t.model, variant: t.variant,
            language: t.language, residual: t.residual === null ? null : t.residual ? 1 : 0, formats: JSON.stringify(t.formats),
            status: 'processing' as const, cost: null, duration: null, error_code: null, error_message: null, outputs: null,
            lease_owner: null, lease_expires_at: null, available_at: download ? waitingForInput : task.createdAt, created_at: task.createdAt, ended_at: null,
            reserved: t.reserved,
          }))).execute();
          return true;
        });
      },
      async get(clientId, id) {
        const task = await db.selectFrom('tasks').selectAll().where('id', '=', id).where('client_id', '=', clientId).executeTakeFirst();
        if (!task) return null;
        const targets = await db.selectFrom('targets').select(targetColumns).where('task_id', '=', id).orderBy('position', 'asc').execute();
        return toTaskRecord(task, targets);
      },
      async list(clientId, filters) {
        let query = db.selectFrom('tasks').selectAll().where('client_id', '=', clientId);
        if (filters.status) {
          const status = filters.status;
          query = query.where((eb) => eb.exists(eb.selectFrom('targets').select('targets.id').whereRef('targets.task_id', '=', 'tasks.id').where('targets.status', '=', status)));
        }
        if (filters.model) {
          const model = filters.model;
          query = query.where((eb) => eb.exists(eb.selectFrom('targets').select('targets.id').whereRef('targets.task_id', '=', 'tasks.id').where('targets.model', '=', model)));
        }
        if (filters.createdAfter !== undefined) query = query.where('created_at', '>', filters.createdAfter);
        if (filters.createdBefore !== undefined) query = query.where('created_at', '<', filters.createdBefore);
        const tasks = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').offset(filters.skip).limit(filters.take).execute();
        if (tasks.length === 0) return [];
        const targets = await db.selectFrom('targets').select(targetColumns).where('task_id', 'in', tasks.map((t) => t.id)).orderBy('position', 'asc').execute();
        const byTask = new Map<string, RenderedTargetRow[]>();
        for (const t of targets) byTask.set(t.task_id, [...(byTask.get(t.task_id) ?? []), t]);
        return tasks.map((task) => toTaskRecord(task, byTask.get(task.id) ?? []));
      },
      async completedUsage(clientId) {
        const rows = await db.selectFrom('targets').select(['ended_at', 'model', 'duration']).where('client_id', '=', clientId).where('status', '=', 'completed').execute();
        return rows.map((r) => ({ endedAt: Number(r.ended_at), model: r.model, duration: Number(r.duration ?? 0) }));
      },
      async takeOldOutputs(before, limit) {
        const rows = await db.selectFrom('targets').select(['id', 'task_id', 'outputs']).where('created_at', '<', before).where('status', '=', 'completed')
          .where('outputs', 'is not', null).where('outputs', '!=', '[]').limit(limit).execute();
        if (rows.length === 0) return [];
        await db.updateTable('targets').set({ outputs: '[]' }).where('id', 'in', rows.map((r) => r.id)).execute();
        return rows.map((r) => ({ taskId: r.task_id, keys: (JSON.parse(r.outputs ?? '[]') as { key: string }[]).map((o) => o.key) }));
      },
    },
    settings: {
      async get(key) {
        return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value ?? null;
      },
      async putIfAbsent(key, value) {
        await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
        return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
      },
    },
    webhooks: createWebhookRepository(db),
  };
}
