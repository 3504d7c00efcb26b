import type { MessageStatus } from '../wire/Message.js';
import type { ApiKey, Asset, Client, EndpointPatch, ListenMessage, NewTask, TaskFilters, TaskRecord, WebhookEndpoint, WebhookMessage } from '../domain/records.js';

/** What use cases need from storage of state; db/ implements it for SQLite and PostgreSQL. */
export interface Repositories {
  clients: ClientsPort;
  keys: KeysPort;
  assets: AssetsPort;
  tasks: TasksPort;
  settings: SettingsPort;
  webhooks: WebhooksPort;
}

export interface ClientsPort {
  insert(client: Omit<Client, 'reserved'>): Promise<void>;
  get(id: string): Promise<Client | null>;
  list(): Promise<Client[]>;
  count(): Promise<number>;
  /** Adds `delta` to a limited balance and records it in the ledger; returns the client after. */
  adjustCredits(id: string, delta: number, reason: string, now: number): Promise<Client | null>;
}

export interface KeysPort {
  insert(key: ApiKey): Promise<void>;
  /** Keys with this prefix that are not revoked. */
  findActiveByPrefix(prefix: string): Promise<ApiKey[]>;
  /** Revokes a key; false when there is no such (unrevoked) key. */
  revoke(id: string, now: number): Promise<boolean>;
  listForClient(clientId: string): Promise<ApiKey[]>;
  /** A key that is not revoked, by id (sessions re-check their key with it). */
  getActive(id: string): Promise<ApiKey | null>;
  /** Any key with this hash, revoked or not. */
  findByHash(hash: string): Promise<ApiKey | null>;
}

export interface AssetsPort {
  insert(asset: Asset): Promise<void>;
  /** A live (unexpired) asset of this client. */
  get(clientId: string, id: string, now: number): Promise<Asset | null>;
  list(clientId: string, skip: number, take: number, now: number): Promise<Asset[]>;
  delete(clientId: string, id: string): Promise<Asset | null>;
  /** Removes up to `limit` expired assets and returns them (their files are deleted by the caller). */
  takeExpired(now: number, limit: number): Promise<Asset[]>;
}

export interface TasksPort {
  /**
   * In one transaction: reserves the targets' credits if the client's available balance (credits
   * minus reservations) is above zero (when `checkCredits`), and inserts the task and all its
   * targets. False: the balance is zero or below and nothing was stored.
   */
  create(task: NewTask): Promise<boolean>;
  get(clientId: string, id: string): Promise<TaskRecord | null>;
  list(clientId: string, filters: TaskFilters): Promise<TaskRecord[]>;
  /** Completed targets' (endedAt, model, duration) for statistics. */
  completedUsage(clientId: string): Promise<{ endedAt: number; model: string; duration: number }[]>;
  /** Output keys of tasks created before `before` whose targets have all ended (for the sweeper). */
  takeOldOutputs(before: number, limit: number): Promise<{ taskId: string; keys: string[] }[]>;
}

export interface SettingsPort {
  get(key: string): Promise<string | null>;
  /** Stores `value` unless the key exists; returns the stored value either way. */
  putIfAbsent(key: string, value: string): Promise<string>;
}

/** Webhook endpoints and their message log, always scoped to one client. */
export interface WebhooksPort {
  /** Inserts unless the client has `maxPerClient` endpoints already (checked atomically); false then. */
  insert(endpoint: WebhookEndpoint, maxPerClient?: number): Promise<boolean>;
  list(clientId: string): Promise<WebhookEndpoint[]>;
  get(clientId: string, id: string): Promise<WebhookEndpoint | null>;
  /** Enabling clears the disabled reason and the failure run. */
  update(clientId: string, id: string, patch: EndpointPatch, now: number): Promise<WebhookEndpoint | null>;
  /** Deletes the endpoint and its messages and attempts. */
  delete(clientId: string, id: string): Promise<boolean>;
  /** New secret; the old one keeps signing until `previousUntil`. */
  rotateSecret(clientId: string, id: string, secret: string, previousUntil: number, now: number): Promise<WebhookEndpoint | null>;
  messages(clientId: string, endpointId: string, query: { skip: number; take: number; status?: MessageStatus }): Promise<WebhookMessage[]>;
  /** Makes one message of the client's endpoint due now (any status); false when there is no such message. */
  retry(clientId: string, endpointId: string, messageId: string, now: number): Promise<boolean>;
  /** Queues a `webhook.test` message to the endpoint with `payload` (a TaskRecord JSON); returns its id. */
  enqueueTest(clientId: string, endpointId: string, payload: string, now: number): Promise<string | null>;
  /** Makes every failed message of the client's endpoint created since `since` due now; returns how many. */
  recover(clientId: string, endpointId: string, since: number, now: number): Promise<number>;
  /**
   * The client's listen endpoint (`stemline listen`; created with `secret` on first use, hidden from
   * the calls above), marked as streamed to until `until`: events are written to it only meanwhile.
   */
  openListen(clientId: string, secret: string, until: number, now: number): Promise<WebhookEndpoint>;
  /** Messages of the listen endpoint with ids after `afterId` (ids sort by time), oldest first. */
  listenMessages(clientId: string, endpointId: string, afterId: string, limit: number): Promise<ListenMessage[]>;
}
