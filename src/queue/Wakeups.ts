import { EventEmitter } from 'node:events';
import type pg from 'pg';

/**
 * Wakes idle workers when work arrives: an in-process event always, and PostgreSQL LISTEN/NOTIFY
 * across processes when there is a pool. Workers also poll, so a lost notification only delays.
 */
export class Wakeups {
  private readonly events = new EventEmitter();
  private listener: pg.PoolClient | null = null;

  /** `channel`: one per kind of work (`stemline_targets`, `stemline_webhooks`). */
  constructor(private readonly pool: pg.Pool | null, private readonly channel: string) {
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    if (!this.pool) return;
    this.listener = await this.pool.connect();
    this.listener.on('notification', () => this.events.emit('wake'));
    this.listener.on('error', () => undefined);
    await this.listener.query(`listen ${this.channel}`);
  }

  /** Tells every worker (here and, with PostgreSQL, elsewhere) that work is waiting. */
  async notify(): Promise<void> {
    this.events.emit('wake');
    if (this.pool) await this.pool.query(`notify ${this.channel}`).catch(() => undefined);
  }

  /** Calls `listener` on every wake-up; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.events.on('wake', listener);
    return () => this.events.off('wake', listener);
  }

  /** Resolves on the next wake-up or after `ms`, whichever is first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off('wake', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.events.once('wake', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async close(): Promise<void> {
    if (this.listener) {
      await this.listener.query(`unlisten ${this.channel}`).catch(() => undefined);
      this.listener.release();
      this.listener = null;
    }
  }
}
