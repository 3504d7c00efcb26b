import { sql, type Kysely } from 'kysely';
import type { BackendProfile } from '../db/BackendProfile.js';
import { toEndpoint } from '../db/rowMappers.js';
import type { Schema } from '../db/schema.js';
import type { WebhookEndpoint } from '../domain/records.js';

export interface ClaimedMessage {
  id: string;
  endpointId: string;
  event: string;
  taskId: string;
  targetId: string;
  /** TaskRecord JSON as of the event. */
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
  /** When the event happened. */
  createdAt: number;
}

/** The outcome of one attempt, as the dispatcher hands it over for recording. */
export interface AttemptRecord {
  messageId: string;
  endpointId: string;
  attempt: number;
  at: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  response: string;
  /** delivered, or when the next attempt is due (null: the schedule is used up, the message failed). */
  outcome: { delivered: true } | { delivered: false; nextAttemptAt: number | null };
}

/**
 * Webhook messages are the delivery queue, with the same lease mechanism as targets: a dispatcher
 * claims due messages of one endpoint (its lane), and records each attempt fenced on its lease, so a
 * dispatcher presumed dead cannot overwrite the outcome of the one that took over.
 */
export class MessageQueue {
  // Snapshots never change once written, and the endpoints of one event claim it one after another.
  private readonly payloads = new Map<string, string>();

  constructor(private readonly db: Kysely<Schema>, private readonly profile: BackendProfile) {}

  /** Enabled endpoints that have due, unleased messages (one index probe per endpoint). */
  async dueEndpoints(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('webhook_endpoints as e').select('e.id').where('e.enabled', '=', 1)
      .where((eb) => eb.exists(eb.selectFrom('webhook_messages as m').select('m.id').whereRef('m.endpoint_id', '=', 'e.id')
        .where('m.status', '=', 'pending').where('m.next_attempt_at', '<=', now)
        .where((w) => w.or([w('m.lease_expires_at', 'is', null), w('m.lease_expires_at', '<', now)]))))
      .limit(limit).execute();
    return rows.map((r) => r.id);
  }

  async endpoint(id: string): Promise<WebhookEndpoint | null> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  /** Up to `limit` due messages of one endpoint, oldest due first, leased to `owner`. */
  async claim(endpointId: string, owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedMessage[]> {
    const lock = this.profile.skipLocked ? sql`for update skip locked` : sql``;
    const result = await sql<{ id: string; endpoint_id: string; event: string; task_id: string; target_id: string; event_id: string; attempts: number; created_at: number }>`
      update webhook_messages set lease_owner = ${owner}, lease_expires_at = ${now + leaseMs}
      where id in (
        select id from webhook_messages
        where endpoint_id = ${endpointId} and status = 'pending' and next_attempt_at <= ${now}
          and (lease_expires_at is null or lease_expires_at < ${now})
        order by next_attempt_at
        limit ${limit} ${lock}
      ) and status = 'pending' and (lease_expires_at is null or lease_expires_at < ${now})
      returning id, endpoint_id, event, task_id, target_id, event_id, attempts, created_at`.execute(this.db);
    if (result.rows.length === 0) return [];
    const missing = [...new Set(result.rows.map((r) => r.event_id))].filter((id) => !this.payloads.has(id));
    if (missing.length > 0) {
      for (const e of await this.db.selectFrom('webhook_events').select(['id', 'payload']).where('id', 'in', missing).execute()) {
        if (this.payloads.size >= 5000) this.payloads.delete(this.payloads.keys().next().value!);
        this.payloads.set(e.id, e.payload);
      }
    }
    return result.rows.map((r) => ({
      id: r.id, endpointId: r.endpoint_id, event: r.event, taskId: r.task_id, targetId: r.target_id, payload: this.payloads.get(r.event_id) ?? '', attempts: Number(r.attempts), createdAt: Number(r.created_at),
    }));
  }

  /** Gives messages back without counting an attempt (shutdown, or an endpoint disabled meanwhile). */
  async release(ids: string[], owner: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('webhook_messages').set({ lease_owner: null, lease_expires_at: null })
      .where('id', 'in', ids).where('lease_owner', '=', owner).execute();
  }

  /**
   * Records a batch of attempts in one transaction: the messages' new states (fenced on the lease),
   * the attempt log, and each endpoint's failure run; endpoints failing continuously for
   * `disableAfterMs` are disabled. Returns the ids of endpoints disabled by this batch.
   */
  async record(records: AttemptRecord[], owner: string, now: number, disableAfterMs: number): Promise<string[]> {
    if (records.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      const kept = new Set<string>();
      const delivered = records.filter((r) => r.outcome.delivered).map((r) => r.messageId);
      for (let i = 0; i < delivered.length; i += 500) {
        const rows = await tx.updateTable('webhook_messages')
          .set({ status: 'delivered', attempts: sql<number>`attempts + 1`, next_attempt_at: null, ended_at: now, lease_owner: null, lease_expires_at: null })
          .where('id', 'in', delivered.slice(i, i + 500)).where('lease_owner', '=', owner).returning('id').execute();
        for (const row of rows) kept.add(row.id);
      }
      for (const r of records) {
        if (r.outcome.delivered) continue;
        const next = r.outcome.nextAttemptAt;
        const row = await tx.updateTable('webhook_messages').set({
          status: next === null ? 'failed' : 'pending', attempts: sql<number>`attempts + 1`, next_attempt_at: next,
          ended_at: next === null ? now : null, lease_owner: null, lease_expires_at: null,
        }).where('id', '=', r.messageId).where('lease_owner', '=', owner).returning('id').executeTakeFirst();
        if (row) kept.add(row.id);
      }
      const attempts = records.filter((r) => kept.has(r.messageId));
      for (let i = 0; i < attempts.length; i += 500) {
        await tx.insertInto('webhook_attempts').values(attempts.slice(i, i + 500).map((r) => ({
          message_id: r.messageId, attempt: r.attempt, at: r.at, status_code: r.statusCode, duration_ms: r.durationMs, error: r.error, response: r.response,
        }))).execute();
      }
      return this.updateFailureRuns(tx, records, now, disableAfterMs);
    });
  }

  /** Pending messages (waiting or in flight), for metrics. */
  async pending(): Promise<number> {
    const row = await this.db.selectFrom('webhook_messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Retention: attempts older than `before`, ended messages that ended before it, and unreferenced snapshots. */
  async purge(before: number, limit: number): Promise<number> {
    const ids = (await this.db.selectFrom('webhook_messages').select('id').where('status', '!=', 'pending').where('ended_at', '<', before).limit(limit).execute()).map((r) => r.id);
    // Their attempts go with them (ON DELETE CASCADE).
    if (ids.length > 0) await this.db.deleteFrom('webhook_messages').where('id', 'in', ids).execute();
    const old = await this.db.deleteFrom('webhook_attempts').where('at', '<', before).executeTakeFirst();
    // Snapshots no message refers to any more (their messages were purged or their endpoint deleted).
    const orphans = (await this.db.selectFrom('webhook_events as e').select('e.id').where('e.created_at', '<', before)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('webhook_messages as m').select('m.id').whereRef('m.event_id', '=', 'e.id')))).limit(limit).execute()).map((r) => r.id);
    if (orphans.length > 0) await this.db.deleteFrom('webhook_events').where('id', 'in', orphans).execute();
    return ids.length + Number(old.numDeletedRows) + orphans.length;
  }

  /**
   * An endpoint's failure run starts at its first failed attempt after a success and ends at the
   * next success. Within a batch, order matters: a failure after the batch's last success starts a
   * new run.
   */
  private async updateFailureRuns(tx: Kysely<Schema>, records: AttemptRecord[], now: number, disableAfterMs: number): Promise<string[]> {
    const byEndpoint = new Map<string, { lastSuccess: number; firstFailureAfter: number | null }>();
    for (const r of records) {
      const run = byEndpoint.get(r.endpointId) ?? { lastSuccess: -1, firstFailureAfter: null };
      if (r.outcome.delivered) byEndpoint.set(r.endpointId, { lastSuccess: r.at, firstFailureAfter: null });
      else byEndpoint.set(r.endpointId, { ...run, firstFailureAfter: run.firstFailureAfter ?? r.at });
    }
    // The common case, endpoints whose batch ends in success: one statement for all of them.
    const recovered = [...byEndpoint].filter(([, run]) => run.lastSuccess >= 0 && run.firstFailureAfter === null).map(([id]) => id);
    if (recovered.length > 0) {
      await tx.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', 'in', recovered).where('failing_since', 'is not', null).execute();
    }
    const disabled: string[] = [];
    for (const [endpointId, run] of byEndpoint) {
      if (run.firstFailureAfter === null) continue;
      // A failure after the batch's last success starts a new run; otherwise the run goes on.
      let update = tx.updateTable('webhook_endpoints').set({ failing_since: run.firstFailureAfter }).where('id', '=', endpointId);
      if (run.lastSuccess < 0) update = update.where('failing_since', 'is', null);
      await update.execute();
      const result = await tx.updateTable('webhook_endpoints').set({
        enabled: 0, updated_at: now,
        disabled_reason: `Disabled automatically on ${new Date(now).toISOString()}: every delivery attempt failed for ${formatSpan(disableAfterMs)}. Fix the receiver, re-enable the endpoint, then recover its failed messages.`,
      }).where('id', '=', endpointId).where('enabled', '=', 1).where('failing_since', '<=', now - disableAfterMs).executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) disabled.push(endpointId);
    }
    return disabled;
  }
}

function formatSpan(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day(s)`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour(s)`;
  return `${Math.round(ms / 1000)} s`;
}
