import { iso } from './renderTask.js';

export interface WebhookEndpoint {
  id: string;
  clientId: string;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  /** During a rotation: the old secret, still signed with until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: number | null;
  enabled: boolean;
  disabledReason: string | null;
  /** Start of the current run of failed attempts; null after a success. */
  failingSince: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookAttempt {
  attempt: number;
  at: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  response: string;
}

export interface WebhookMessage {
  id: string;
  endpointId: string;
  event: string;
  taskId: string;
  targetId: string;
  status: 'pending' | 'delivered' | 'failed';
  createdAt: number;
  nextAttemptAt: number | null;
  attempts: WebhookAttempt[];
}

/** An endpoint as its client sees it (the secret included: only its own client can read it). */
export function renderEndpoint(e: WebhookEndpoint, now: number): Record<string, unknown> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
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
export function renderMessage(m: WebhookMessage): Record<string, unknown> {
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
