import { sql, type Kysely, type Migration } from 'kysely';
import { waitingForInput } from '../../domain/limits.js';

/**
 * - Downloads of `url` inputs are a queue of their own, on the task (one download per task, with
 *   a lease), so a slow URL never holds a separation slot; the task's targets wait with
 *   `available_at` far in the future until the input is stored.
 * - Credit reservations: each target holds the estimated cost of its task until it ends, and the
 *   client row sums them, so creation can check and reserve in one statement.
 * - Fair claiming: the time each client was last given a worker.
 * - Asset durations (known at upload), for the reservation estimate.
 */
export const m0004_hardening: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').addColumn('fetch_available_at', 'bigint').execute();
    await db.schema.alterTable('tasks').addColumn('fetch_lease_owner', 'text').execute();
    await db.schema.alterTable('tasks').addColumn('fetch_lease_expires_at', 'bigint').execute();
    await db.schema.alterTable('tasks').addColumn('fetch_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await sql`create index tasks_fetch_queue on tasks (fetch_available_at) where fetch_available_at is not null`.execute(db);
    await db.schema.alterTable('targets').addColumn('reserved', 'double precision', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('clients').addColumn('reserved', 'double precision', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('clients').addColumn('last_claimed_at', 'bigint').execute();
    await db.schema.alterTable('assets').addColumn('duration_seconds', 'double precision').execute();
    await sql`create index targets_client_claim_order on targets (client_id, available_at, created_at, position) where status = 'processing'`.execute(db);
    // Downloads still to do at upgrade time move to the new queue.
    await sql`update tasks set fetch_available_at = created_at where url is not null and input_key is null
      and exists (select 1 from targets where targets.task_id = tasks.id and targets.status = 'processing')`.execute(db);
    await sql`update targets set available_at = ${sql.lit(waitingForInput)} where status = 'processing'
      and task_id in (select id from tasks where fetch_available_at is not null)`.execute(db);
  },
};
