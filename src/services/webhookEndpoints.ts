import { newId } from '../domain/newId.js';
import { parseEndpointInput } from '../domain/parseEndpointInput.js';
import type { WebhookEndpoint } from '../domain/records.js';
import { webhookEvents } from '../domain/webhookEvents.js';
import { AppError } from '../errors/AppError.js';
import { newSecret } from '../domain/newSecret.js';
import type { Repositories } from './ports.js';

export interface EndpointDeps {
  repos: Repositories;
  /** Throws `url_not_allowed` for hosts that are not public (unless the operator allows them). */
  checkUrl: (url: string) => Promise<void>;
}

/** The most endpoints one client may have: fan-out beyond this is a receiver's job. */
export const maxEndpointsPerClient = 20;

/** POST /webhooks: a new enabled endpoint with a fresh `whsec_` secret (both events unless filtered). */
export async function createEndpoint(deps: EndpointDeps, clientId: string, body: unknown, now: number): Promise<WebhookEndpoint> {
  const input = parseEndpointInput(body, false);
  await deps.checkUrl(input.url!);
  const endpoint: WebhookEndpoint = {
    id: `ep_${newId()}`, clientId, url: input.url!, description: input.description ?? null, events: input.events ?? [...webhookEvents],
    secret: newSecret(), previousSecret: null, previousSecretUntil: null, enabled: true, disabledReason: null, failingSince: null,
    createdAt: now, updatedAt: now,
  };
  if (!(await deps.repos.webhooks.insert(endpoint, maxEndpointsPerClient))) {
    throw new AppError('conflict', `A client may have at most ${maxEndpointsPerClient} webhook endpoints; delete one first.`);
  }
  return endpoint;
}

/** PATCH /webhooks/{id}. */
export async function updateEndpoint(deps: EndpointDeps, clientId: string, id: string, body: unknown, now: number): Promise<WebhookEndpoint> {
  const patch = parseEndpointInput(body, true);
  if (patch.url !== undefined) await deps.checkUrl(patch.url);
  const updated = await deps.repos.webhooks.update(clientId, id, patch, now);
  if (!updated) throw new AppError('not_found', `No webhook endpoint '${id}'.`);
  return updated;
}

/** Rotation: a new secret at once; the old one keeps signing (second signature) for `overlapMs`. */
export async function rotateEndpointSecret(deps: EndpointDeps, clientId: string, id: string, now: number, overlapMs = 24 * 3_600_000): Promise<WebhookEndpoint> {
  const rotated = await deps.repos.webhooks.rotateSecret(clientId, id, newSecret(), now + overlapMs, now);
  if (!rotated) throw new AppError('not_found', `No webhook endpoint '${id}'.`);
  return rotated;
}
