import type { Migration } from 'kysely';
import { m0001_initial } from './m0001_initial.js';
import { m0002_webhooks } from './m0002_webhooks.js';
import { m0003_targets_claim_order } from './m0003_targets_claim_order.js';
import { m0004_hardening } from './m0004_hardening.js';
import { m0005_listen_endpoints } from './m0005_listen_endpoints.js';

/** Ordered, forward-only: append new migrations, never edit or reorder applied ones. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001_initial,
  '0002_webhooks': m0002_webhooks,
  '0003_targets_claim_order': m0003_targets_claim_order,
  '0004_hardening': m0004_hardening,
  '0005_listen_endpoints': m0005_listen_endpoints,
};
