import type { Endpoint, WebhookEvent } from '../wire/Endpoint.js';
import type { Message } from '../wire/Message.js';
import type { WebhookEndpoint, WebhookMessage } from './records.js';
import { iso } from './renderTask.js';

/** An endpoint as its client sees it (the secret included: only its own client can read it). */
export function renderEndpoint(e: WebhookEndpoint, now: number): Endpoint {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events as WebhookEvent[],
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    secret: e.secret,
    previousSecretExpiresAt: signingSecrets(e, now).length > 1 ? iso(e.previousSecretUntil!) : null,
    failingSince: e.failingSince === null ? null : iso(e.failingSince),
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

/** A message with its attempt log (spec/api.md "Webhook endpoints"). */
export function renderMessage(m: WebhookMessage): Message {
  return {
    id: m.id,
    event: m.event,
    taskId: m.taskId,
    targetId: m.targetId,
    status: m.status,
    createdAt: iso(m.createdAt),
    nextAttemptAt: m.nextAttemptAt === null ? null : iso(m.nextAttemptAt),
    attempts: m.attempts.map((a) => ({
      attempt: a.attempt, at: iso(a.at), statusCode: a.statusCode, durationMs: a.durationMs, error: a.error, response: a.response,
    })),
  };
}

/** The secrets a delivery is signed with: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(e: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretUntil'>, now: number): string[] {
  return e.previousSecret && e.previousSecretUntil !== null && e.previousSecretUntil > now ? [e.secret, e.previousSecret] : [e.secret];
}
