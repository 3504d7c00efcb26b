import type { Client as ClientBody } from '../wire/Client.js';
import type { Client } from './records.js';
import { iso } from './renderTask.js';

/** A client as its own account and the admin listing show it. */
export function renderClient(c: Client): ClientBody {
  return { id: c.id, name: c.name, credits: c.credits, reservedCredits: c.reserved, createdAt: iso(c.createdAt) };
}
