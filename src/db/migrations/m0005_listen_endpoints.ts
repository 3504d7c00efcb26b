import type { Kysely, Migration } from 'kysely';

/**
 * `stemline listen`: each client may have one listen endpoint, a webhook endpoint whose messages go
 * down a stream the developer's CLI holds open instead of to a URL. `listen_until` marks it (null on
 * every ordinary endpoint) and says until when a stream is known to be open.
 */
export const m0005_listen_endpoints: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('webhook_endpoints').addColumn('listen_until', 'bigint').execute();
  },
};
