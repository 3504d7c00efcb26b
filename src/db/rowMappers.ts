import type { Selectable } from 'kysely';
import type { ApiKey, Asset, Client, TargetRecord, TaskRecord, WebhookEndpoint } from '../domain/records.js';
import type { ApiKeysTable, AssetsTable, ClientsTable, TargetsTable, TasksTable, WebhookEndpointsTable } from './schema.js';

// Rows as stored -> the domain's records: the one place column names and encodings are decoded.

export function toClient(row: Selectable<ClientsTable>): Client {
  return { id: row.id, name: row.name, credits: row.credits === null ? null : Number(row.credits), reserved: Number(row.reserved), createdAt: Number(row.created_at) };
}

export function toKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id, clientId: row.client_id, prefix: row.prefix, hash: row.hash, admin: Number(row.admin) === 1,
    createdAt: Number(row.created_at), revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export function toAsset(row: Selectable<AssetsTable>): Asset {
  return {
    id: row.id, clientId: row.client_id, name: row.name, format: row.format, storageKey: row.storage_key,
    sizeBytes: Number(row.size_bytes), durationSeconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    createdAt: Number(row.created_at), expiresAt: Number(row.expires_at),
  };
}

/** The columns a rendered Task needs (fewer columns: noticeably cheaper rows with SQLite). */
export const targetColumns = ['id', 'task_id', 'model', 'status', 'formats', 'residual', 'variant', 'language', 'cost', 'duration', 'error_code', 'error_message', 'outputs'] as const;
export type RenderedTargetRow = Pick<Selectable<TargetsTable>, (typeof targetColumns)[number]>;

export function toTaskRecord(task: Selectable<TasksTable>, targets: RenderedTargetRow[]): TaskRecord {
  return {
    id: task.id,
    clientId: task.client_id,
    createdAt: Number(task.created_at),
    completedAt: task.completed_at === null ? null : Number(task.completed_at),
    assetId: task.asset_id,
    url: task.url,
    metadata: task.metadata,
    targets: targets.map(toTargetRecord),
  };
}

function toTargetRecord(row: RenderedTargetRow): TargetRecord {
  return {
    id: row.id,
    model: row.model,
    status: row.status,
    formats: JSON.parse(row.formats) as string[],
    residual: row.residual === null ? null : Number(row.residual) === 1,
    variant: row.variant,
    language: row.language,
    cost: row.cost === null ? null : Number(row.cost),
    duration: row.duration === null ? null : Number(row.duration),
    error: row.error_code === null ? null : { code: Number(row.error_code), message: row.error_message ?? '' },
    outputs: row.outputs ? (JSON.parse(row.outputs) as TargetRecord['outputs']) : [],
  };
}

export function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id, clientId: row.client_id, url: row.url, description: row.description, events: JSON.parse(row.events) as string[],
    secret: row.secret, previousSecret: row.previous_secret,
    previousSecretUntil: row.previous_secret_until === null ? null : Number(row.previous_secret_until),
    enabled: Number(row.enabled) === 1, disabledReason: row.disabled_reason,
    failingSince: row.failing_since === null ? null : Number(row.failing_since),
    createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
  };
}
