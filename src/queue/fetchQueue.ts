import { sql, type Kysely, type Selectable } from 'kysely';
import type { BackendProfile } from '../db/BackendProfile.js';
import type { Schema, TasksTable } from '../db/schema.js';
import { waitingForInput } from '../domain/limits.js';
import type { ClaimedTarget, TargetQueue } from './targetQueue.js';

export type ClaimedDownload = Selectable<TasksTable> & { url: string };

/**
 * Downloads of `url` inputs, a queue of their own on the tasks table: one download per task (not
 * one per target), leased like targets, and run in slots of their own so that a slow server never
 * holds separation capacity. A task's targets wait (available_at far in the future) until its
 * input is stored; a download that fails for good fails each of them, each with its own webhook.
 */
export class FetchQueue {
  constructor(private readonly db: Kysely<Schema>, private readonly profile: BackendProfile, private readonly targets: TargetQueue) {}

  async claim(owner: string, now: number, leaseMs: number): Promise<ClaimedDownload | null> {
    const lock = this.profile.skipLocked ? sql`for update skip locked` : sql``;
    const free = sql`fetch_available_at <= ${now} and (fetch_lease_expires_at is null or fetch_lease_expires_at < ${now})`;
    const result = await sql<ClaimedDownload>`
      update tasks set fetch_lease_owner = ${owner}, fetch_lease_expires_at = ${now + leaseMs}, fetch_attempts = fetch_attempts + 1
      where id = (select id from tasks where ${free} order by fetch_available_at limit 1 ${lock}) and ${free}
      returning *`.execute(this.db);
    return result.rows[0] ?? null;
  }

  async renew(taskId: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.db.updateTable('tasks').set({ fetch_lease_expires_at: now + leaseMs })
      .where('id', '=', taskId).where('fetch_lease_owner', '=', owner).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The input is stored under `key`: the task's targets become claimable now. False: the lease was lost. */
  async done(task: ClaimedDownload, owner: string, key: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const updated = await tx.updateTable('tasks').set({ input_key: key, fetch_available_at: null, fetch_lease_owner: null, fetch_lease_expires_at: null })
        .where('id', '=', task.id).where('fetch_lease_owner', '=', owner).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await tx.updateTable('targets').set({ available_at: now }).where('task_id', '=', task.id).where('status', '=', 'processing').where('available_at', '=', waitingForInput).execute();
      return true;
    });
  }

  /** Tries the download again no earlier than `availableAt`. */
  async retryLater(task: ClaimedDownload, owner: string, availableAt: number, countAttempt = true): Promise<void> {
    await this.db.updateTable('tasks').set({
      fetch_lease_owner: null, fetch_lease_expires_at: null, fetch_available_at: availableAt,
      ...(countAttempt ? {} : { fetch_attempts: sql<number>`fetch_attempts - 1` }),
    }).where('id', '=', task.id).where('fetch_lease_owner', '=', owner).execute();
  }

  /** Gives back a download interrupted by shutdown, without counting the attempt. */
  async release(task: ClaimedDownload, owner: string): Promise<void> {
    await this.retryLater(task, owner, task.fetch_available_at ?? 0, false);
  }

  /**
   * The download failed for good: every target still processing fails with `error`, each in its
   * own transaction (its own webhook), then the download is taken off the queue. A crash between
   * the two leaves the lease to expire and the rest to the next attempt: nothing is lost.
   */
  async giveUp(taskId: string, owner: string | null, error: { code: number; message: string }, now: number): Promise<ClaimedTarget[]> {
    if (owner !== null) {
      const row = await this.db.selectFrom('tasks').select('fetch_lease_owner').where('id', '=', taskId).executeTakeFirst();
      if (row?.fetch_lease_owner !== owner) return [];
    }
    const waiting = await this.db.selectFrom('targets').selectAll().where('task_id', '=', taskId).where('status', '=', 'processing').orderBy('position').execute();
    const failed: ClaimedTarget[] = [];
    for (const target of waiting) if (await this.targets.fail(target, null, error, now)) failed.push(target);
    let query = this.db.updateTable('tasks').set({ fetch_available_at: null, fetch_lease_owner: null, fetch_lease_expires_at: null }).where('id', '=', taskId);
    if (owner !== null) query = query.where('fetch_lease_owner', '=', owner);
    await query.execute();
    return failed;
  }

  /** Expired download leases: out of attempts, the targets fail; the rest become claimable (the claim sees them). */
  async sweep(now: number, maxAttempts: number): Promise<number> {
    const dead = await this.db.selectFrom('tasks').select(['id', 'fetch_lease_owner', 'fetch_attempts']).where('fetch_available_at', 'is not', null)
      .where('fetch_lease_expires_at', '<', now).where('fetch_attempts', '>=', maxAttempts).limit(100).execute();
    for (const task of dead) {
      await this.giveUp(task.id, task.fetch_lease_owner, { code: 502, message: `Downloading the input stopped ${task.fetch_attempts} times (the worker died or stalled); giving up.` }, now);
    }
    return dead.length;
  }
}
