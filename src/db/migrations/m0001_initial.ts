import { sql, type Kysely, type Migration } from 'kysely';

/** Clients, keys, assets, tasks, targets (the work queue), the credit ledger, settings. */
export const m0001_initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('credits', 'double precision')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('api_keys_prefix').on('api_keys').column('prefix').execute();
    await db.schema.createTable('assets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('storage_key', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('assets_client_created').on('assets').columns(['client_id', 'created_at']).execute();
    await db.schema.createIndex('assets_expires').on('assets').column('expires_at').execute();
    await db.schema.createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('asset_id', 'text')
      .addColumn('url', 'text')
      .addColumn('metadata', 'text')
      .addColumn('input_key', 'text')
      .execute();
    await db.schema.createIndex('tasks_client_created').on('tasks').columns(['client_id', 'created_at']).execute();
    await db.schema.createTable('targets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('variant', 'text')
      .addColumn('language', 'text')
      .addColumn('residual', 'integer')
      .addColumn('formats', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('cost', 'double precision')
      .addColumn('duration', 'double precision')
      .addColumn('error_code', 'integer')
      .addColumn('error_message', 'text')
      .addColumn('outputs', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('available_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .execute();
    await db.schema.createIndex('targets_task').on('targets').columns(['task_id', 'position']).execute();
    // The claim query scans processing targets by availability; a partial index keeps it small.
    await sql`create index targets_queue on targets (available_at) where status = 'processing'`.execute(db);
    await db.schema.createIndex('targets_client_model').on('targets').columns(['client_id', 'model']).execute();
    await db.schema.createTable('credit_ledger')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
      .addColumn('delta', 'double precision', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('credit_ledger_client').on('credit_ledger').column('client_id').execute();
    await db.schema.createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
