import type { MessageStatus } from '../wire/Message.js';
import type { TargetStatus } from './TargetStatus.js';

/** The records use cases, renderers and the database adapters pass around: plain data, no behaviour. */

export interface Client {
  id: string;
  name: string;
  /** null: unlimited. */
  credits: number | null;
  /** Held by targets still processing (their estimated cost), released when they end. */
  reserved: number;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  clientId: string;
  prefix: string;
  hash: string;
  admin: boolean;
  createdAt: number;
  revokedAt: number | null;
}

export interface Asset {
  id: string;
  clientId: string;
  name: string;
  format: string;
  storageKey: string;
  sizeBytes: number;
  /** Known at upload when the container says. */
  durationSeconds: number | null;
  createdAt: number;
  expiresAt: number;
}

export interface NewTarget {
  id: string;
  position: number;
  model: string;
  formats: string[];
  residual: boolean | null;
  variant: string | null;
  language: string | null;
  /** Credits held until the target ends (its estimated cost). */
  reserved: number;
}

export interface NewTask {
  id: string;
  clientId: string;
  createdAt: number;
  assetId: string | null;
  url: string | null;
  metadata: string | null;
  /** The asset's file when created from an asset. */
  inputKey: string | null;
  /** False for unlimited clients: nothing to check or reserve (their row is not touched). */
  checkCredits: boolean;
  targets: NewTarget[];
}

export interface TaskFilters {
  skip: number;
  take: number;
  status?: 'processing' | 'completed' | 'error';
  model?: string;
  createdAfter?: number;
  createdBefore?: number;
}

export interface EndpointPatch {
  url?: string;
  description?: string | null;
  events?: string[];
  enabled?: boolean;
}

/** What renderTask needs of a task and its targets (rows as stored, decoded). */
export interface TaskRecord {
  id: string;
  clientId: string;
  createdAt: number;
  completedAt: number | null;
  assetId: string | null;
  url: string | null;
  metadata: string | null;
  targets: TargetRecord[];
}

export interface TargetRecord {
  id: string;
  model: string;
  status: TargetStatus;
  formats: string[];
  residual: boolean | null;
  variant: string | null;
  language: string | null;
  cost: number | null;
  duration: number | null;
  error: { code: number; message: string } | null;
  outputs: StoredOutput[];
}

export interface StoredOutput {
  name: string;
  format: string;
  key: string;
}

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
  status: MessageStatus;
  createdAt: number;
  nextAttemptAt: number | null;
  attempts: WebhookAttempt[];
}

/** A message of a listen endpoint, with the Task snapshot (TaskRecord JSON) of its event. */
export interface ListenMessage {
  id: string;
  event: string;
  taskId: string;
  targetId: string;
  createdAt: number;
  payload: string;
}
