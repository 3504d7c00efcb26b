import { sql, type Kysely, type Selectable } from 'kysely';
import type { BackendProfile } from '../db/BackendProfile.js';
import type { Schema, TargetsTable, TasksTable } from '../db/schema.js';
import { newId } from '../domain/newId.js';
import type { StoredOutput } from '../domain/records.js';
import type { WebhookEvent } from '../domain/webhookEvents.js';
import { advisoryLock, lockedTransaction } from '../db/lockedTransaction.js';
import { writeOutboxMessages } from './writeOutboxMessages.js';

export type ClaimedTarget = Selectable<TargetsTable>;

/**
 * Targets are the work queue. A worker claims one with a lease (a time until which it is theirs),
 * renews it while working, and ends it in one transaction; a lease that runs out makes the target
 * claimable again. Every end is fenced on the lease owner, so a worker that lost its lease (it
 * stalled, or was presumed dead) cannot overwrite the outcome of the one that took over.
 */
export class TargetQueue {
  private readonly turnsWritten = new Map<string, number>();
  /** `onEvents` runs after a commit that wrote webhook messages (to wake the dispatchers). */
  constructor(private readonly db: Kysely<Schema>, private readonly profile: BackendProfile, private readonly onEvents: () => void = () => undefined) {}

  /**
   * The next due task's targets, fairly between clients: the client served longest ago (or never)
   * goes first, so one client's backlog cannot starve another's first task. Every due target of that
   * task is claimed under the same lease, so one worker decodes and separates the input once for
   * all of them. A claim is one transaction of two statements (the first target, then its task's
   * other due targets), and claims run one at a time: SQLite has one writer, PostgreSQL takes a
   * transaction advisory lock. Without that, two workers claiming at the same instant split one
   * task between them and both decode and separate its input. A claim is two short
   * statements; a pass takes seconds. Rows that an ending target's transaction holds
   * are skipped (PostgreSQL); if they are all the fair client's, the oldest due target of anyone is
   * taken. Empty when nothing is due.
   */
  async claimTask(owner: string, now: number, leaseMs: number): Promise<ClaimedTarget[]> {
    const lock = this.profile.skipLocked ? sql`for update skip locked` : sql``;
    const due = sql`t.status = 'processing' and t.available_at <= ${now} and (t.lease_expires_at is null or t.lease_expires_at < ${now})`;
    // A scalar subquery with LIMIT, not EXISTS: PostgreSQL turned EXISTS into a semi-join that scanned
    // every target ever run; this form probes the per-client index once per client on both databases.
    const fairest = sql`(select c.id from clients c where (select 1 from targets t where t.client_id = c.id and ${due} limit 1) = 1
      order by coalesce(c.last_claimed_at, 0), c.id limit 1)`;
    const lease = sql`lease_owner = ${owner}, lease_expires_at = ${now + leaseMs}, attempts = attempts + 1`;
    const stillDue = sql`status = 'processing' and (lease_expires_at is null or lease_expires_at < ${now})`;
    const claimed = await lockedTransaction(this.db, this.profile, advisoryLock.targetClaims, async (tx) => {
      const claimWhere = async (only: ReturnType<typeof sql>) => (await sql<ClaimedTarget>`
        update targets set ${lease}
        where id = (
          select t.id from targets t where ${due} ${only}
          order by t.available_at, t.created_at, t.position
          limit 1 ${lock}
        ) and ${stillDue}
        returning *`.execute(tx)).rows[0] ?? null;
      // Without SKIP LOCKED (SQLite, one writer) the fair claim finds nothing only when nothing is due.
      const first = (await claimWhere(sql`and t.client_id = ${fairest}`)) ?? (this.profile.skipLocked ? await claimWhere(sql``) : null);
      if (!first) return null;
      const rest = (await sql<ClaimedTarget>`
        update targets set ${lease}
        where id in (select t.id from targets t where t.task_id = ${first.task_id} and ${due} ${lock}) and ${stillDue}
        returning *`.execute(tx)).rows;
      return { first, rest };
    });
    if (!claimed) return [];
    const { first, rest } = claimed;
    // Written at most every 100 ms per client and process: fairness needs turns, not a write per claim.
    if (now - (this.turnsWritten.get(first.client_id) ?? 0) >= 100) {
      if (this.turnsWritten.size > 10_000) this.turnsWritten.clear();
      this.turnsWritten.set(first.client_id, now);
      await this.db.updateTable('clients').set({ last_claimed_at: now }).where('id', '=', first.client_id).execute();
    }
    return [first, ...rest].sort((a, b) => Number(a.position) - Number(b.position));
  }

  /** Extends the lease of every target in `ids`; the ones still ours and processing. */
  async renew(ids: readonly string[], owner: string, now: number, leaseMs: number): Promise<Set<string>> {
    const rows = await this.db.updateTable('targets').set({ lease_expires_at: now + leaseMs })
      .where('id', 'in', ids).where('lease_owner', '=', owner).where('status', '=', 'processing').returning('id').execute();
    return new Set(rows.map((r) => r.id));
  }

  async task(id: string): Promise<Selectable<TasksTable> | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Completed: the target, the credit debit, its ledger line, the task's completion time and the
   * webhook messages in one transaction. False when the lease was lost (nothing changes).
   */
  async complete(target: ClaimedTarget, owner: string, outcome: { cost: number; duration: number; outputs: StoredOutput[] }, now: number): Promise<boolean> {
    return this.end(target, 'target.completed', now, async (tx) => {
      const updated = await tx.updateTable('targets').set({
        status: 'completed', cost: outcome.cost, duration: outcome.duration, outputs: JSON.stringify(outcome.outputs),
        ended_at: now, lease_owner: null, lease_expires_at: null,
      }).where('id', '=', target.id).where('lease_owner', '=', owner).where('status', '=', 'processing').executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      // The debit replaces the reservation. Unlimited clients hold none and keep a null balance:
      // their row is not touched (no lock shared by all their targets ending at once).
      const reserved = Number(target.reserved);
      if (reserved !== 0 || outcome.cost !== 0) {
        let debit = tx.updateTable('clients').set({
          credits: sql<number>`case when credits is null then null else credits - ${outcome.cost} end`, reserved: sql<number>`reserved - ${reserved}`,
        }).where('id', '=', target.client_id);
        if (reserved === 0) debit = debit.where('credits', 'is not', null);
        await debit.execute();
      }
      if (outcome.cost !== 0) {
        await tx.insertInto('credit_ledger').values({
          id: newId(), client_id: target.client_id, delta: -outcome.cost, reason: `target ${target.model}`, target_id: target.id, created_at: now,
        }).execute();
      }
      return true;
    });
  }

  /** Error: final, with its webhook messages in the same transaction. False when the lease was lost. */
  async fail(target: ClaimedTarget, owner: string | null, error: { code: number; message: string }, now: number): Promise<boolean> {
    return this.end(target, 'target.error', now, async (tx) => {
      let query = tx.updateTable('targets').set({
        status: 'error', error_code: error.code, error_message: error.message, ended_at: now, lease_owner: null, lease_expires_at: null,
      }).where('id', '=', target.id).where('status', '=', 'processing');
      if (owner !== null) query = query.where('lease_owner', '=', owner);
      if (Number((await query.executeTakeFirst()).numUpdatedRows) === 0) return false;
      if (Number(target.reserved) !== 0) {
        await tx.updateTable('clients').set({ reserved: sql<number>`reserved - ${Number(target.reserved)}` }).where('id', '=', target.client_id).execute();
      }
      return true;
    });
  }

  /**
   * Ends a target: `change` sets its terminal status (false: it was not ours to end), then, in the
   * same transaction, the task's completion time and the outbox; the dispatchers are woken after the
   * commit. Targets of one task end one transaction at a time: without that, on PostgreSQL two
   * targets ending together each see the other still processing (neither commit is visible to the
   * other), nobody sets the task's completedAt, and each webhook snapshot misses the other's result.
   */
  private async end(target: ClaimedTarget, event: WebhookEvent, now: number, change: (tx: Kysely<Schema>) => Promise<boolean>): Promise<boolean> {
    let events = 0;
    const ended = await this.db.transaction().execute(async (tx) => {
      if (this.profile.rowLocks) await tx.selectFrom('tasks').select('id').where('id', '=', target.task_id).forUpdate().execute();
      if (!(await change(tx))) return false;
      await this.markTaskDone(tx, target.task_id, now);
      events = await writeOutboxMessages(tx, { clientId: target.client_id, taskId: target.task_id, targetId: target.id, type: event }, now);
      return true;
    });
    if (events > 0) this.onEvents();
    return ended;
  }

  /** Gives the target back for another attempt no earlier than `availableAt` (`countAttempt` false: this one did not count). */
  async retryLater(target: ClaimedTarget, owner: string, availableAt: number, countAttempt = true): Promise<boolean> {
    const result = await this.db.updateTable('targets').set({
      lease_owner: null, lease_expires_at: null, available_at: availableAt, ...(countAttempt ? {} : { attempts: sql<number>`attempts - 1` }),
    })
      .where('id', '=', target.id).where('lease_owner', '=', owner).where('status', '=', 'processing').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Gives back a target whose work was interrupted (shutdown), without counting the attempt. */
  async release(target: ClaimedTarget, owner: string): Promise<void> {
    await this.db.updateTable('targets').set({ lease_owner: null, lease_expires_at: null, attempts: sql<number>`attempts - 1` })
      .where('id', '=', target.id).where('lease_owner', '=', owner).where('status', '=', 'processing').execute();
  }

  /**
   * Expired leases: targets out of attempts fail with 500; the rest are given back. Returns counts.
   */
  async sweep(now: number, maxAttempts: number): Promise<{ released: number; failed: number }> {
    const dead = await this.db.selectFrom('targets').selectAll().where('status', '=', 'processing').where('lease_expires_at', '<', now).where('attempts', '>=', maxAttempts).limit(100).execute();
    let failed = 0;
    for (const target of dead) {
      const ok = await this.fail(target, target.lease_owner, {
        code: 500, message: `Processing stopped ${target.attempts} times (the worker died or stalled); giving up.`,
      }, now);
      if (ok) failed++;
    }
    const released = await this.db.updateTable('targets').set({ lease_owner: null, lease_expires_at: null })
      .where('status', '=', 'processing').where('lease_expires_at', '<', now).where('attempts', '<', maxAttempts).executeTakeFirst();
    return { released: Number(released.numUpdatedRows), failed };
  }

  /** Targets waiting or running, for metrics and readiness. */
  async depth(): Promise<{ waiting: number; running: number }> {
    const rows = await this.db.selectFrom('targets').select([
      (eb) => eb.fn.countAll<number>().as('total'),
      (eb) => eb.fn.count<number>('lease_owner').as('running'),
    ]).where('status', '=', 'processing').executeTakeFirstOrThrow();
    return { waiting: Number(rows.total) - Number(rows.running), running: Number(rows.running) };
  }

  private async markTaskDone(tx: Kysely<Schema>, taskId: string, now: number): Promise<void> {
    await tx.updateTable('tasks').set({ completed_at: now }).where('id', '=', taskId).where('completed_at', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('targets').select('targets.id').where('targets.task_id', '=', taskId).where('targets.status', '=', 'processing'))))
      .execute();
  }
}
