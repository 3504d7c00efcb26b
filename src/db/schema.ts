import type { Generated } from 'kysely';
import type { TargetStatus } from '../domain/TargetStatus.js';
import type { MessageStatus } from '../wire/Message.js';

/** Database schema (both dialects). Times are Unix epoch milliseconds; booleans are 0/1 integers. */
export interface Schema {
  clients: ClientsTable;
  api_keys: ApiKeysTable;
  assets: AssetsTable;
  tasks: TasksTable;
  targets: TargetsTable;
  credit_ledger: CreditLedgerTable;
  settings: SettingsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export interface WebhookEndpointsTable {
  id: string;
  client_id: string;
  url: string;
  description: string | null;
  /** JSON array of event names. */
  events: string;
  secret: string;
  /** During a rotation: the old secret, still signed with until `previous_secret_until`. */
  previous_secret: string | null;
  previous_secret_until: number | null;
  enabled: number;
  disabled_reason: string | null;
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
  /** Set only on a client's listen endpoint (`stemline listen`): until when a stream is open. */
  listen_until: Generated<number | null>;
}

export interface WebhookMessagesTable {
  /** The `webhook-id` header value, the same on every attempt. */
  id: string;
  endpoint_id: string;
  client_id: string;
  event: string;
  task_id: string;
  target_id: string;
  /** The event row holding the Task snapshot, shared by the event's messages to every endpoint. */
  event_id: string;
  status: MessageStatus;
  attempts: Generated<number>;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  ended_at: number | null;
}

export interface WebhookEventsTable {
  id: string;
  client_id: string;
  /** The Task as stored when the event happened (TaskRecord JSON); links are signed at send time. */
  payload: string;
  created_at: number;
}

export interface WebhookAttemptsTable {
  message_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  /** First 4 KiB of the response body. */
  response: string;
}

export interface ClientsTable {
  id: string;
  name: string;
  /** null: unlimited. */
  credits: number | null;
  /** Sum of the reservations of this client's targets still processing. */
  reserved: Generated<number>;
  /** When a worker last claimed one of this client's targets (fair claiming). */
  last_claimed_at: number | null;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  client_id: string;
  /** The first characters of the key, shown in listings and used to find the row. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  admin: number;
  created_at: number;
  revoked_at: number | null;
}

export interface AssetsTable {
  id: string;
  client_id: string;
  name: string;
  format: string;
  storage_key: string;
  size_bytes: number;
  /** Known at upload (null when the container does not say). */
  duration_seconds: number | null;
  created_at: number;
  expires_at: number;
}

export interface TasksTable {
  id: string;
  client_id: string;
  created_at: number;
  completed_at: number | null;
  asset_id: string | null;
  url: string | null;
  metadata: string | null;
  /** Storage key of the input once a worker has it (the asset's file, or the fetched `url`). */
  input_key: string | null;
  /** The download of `url` is due at this time; null when there is none to do. */
  fetch_available_at: number | null;
  fetch_lease_owner: string | null;
  fetch_lease_expires_at: number | null;
  fetch_attempts: Generated<number>;
}

export interface TargetsTable {
  id: string;
  task_id: string;
  client_id: string;
  position: number;
  model: string;
  variant: string | null;
  language: string | null;
  /** null when the request did not say. */
  residual: number | null;
  /** JSON array of output formats. */
  formats: string;
  status: TargetStatus;
  cost: number | null;
  duration: number | null;
  error_code: number | null;
  error_message: string | null;
  /** JSON array of { name, format, key }. */
  outputs: string | null;
  attempts: Generated<number>;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Not claimable before this time (retry backoff; far in the future while the input is downloaded). */
  available_at: number;
  /** Credits held for this target until it ends (the estimated cost). */
  reserved: Generated<number>;
  created_at: number;
  ended_at: number | null;
}

export interface CreditLedgerTable {
  id: string;
  client_id: string;
  delta: number;
  reason: string;
  target_id: string | null;
  created_at: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}
