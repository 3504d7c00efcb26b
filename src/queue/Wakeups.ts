import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';

/**
 * Wakes idle workers when work arrives: an in-process event always, and PostgreSQL LISTEN/NOTIFY
 * across processes when there is a pool. Workers also poll, so a lost notification only delays.
 * The LISTEN connection is re-established whenever it drops (a database restart, a terminated
 * backend), with backoff, and every listener is woken once it is back: notifications sent while
 * it was down are lost, the work they announced is not.
 */
export class Wakeups {
  private readonly events = new EventEmitter();
  private listener: pg.PoolClient | null = null;
  private closed = false;
  private reconnecting: Promise<void> | null = null;

  /** `channel`: one per kind of work (`stemline_targets`, `stemline_webhooks`). */
  constructor(private readonly pool: pg.Pool | null, private readonly channel: string, private readonly log?: Logger) {
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    if (!this.pool) return;
    await this.listen();
  }

  private async listen(): Promise<void> {
    const client = await this.pool!.connect();
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (this.listener === client) this.listener = null;
      client.release(error ?? new Error('LISTEN connection ended'));
      if (!this.closed) this.reconnect(error);
    };
    client.on('notification', () => this.events.emit('wake'));
    client.on('error', drop);
    client.on('end', () => drop());
    try {
      await client.query(`listen ${this.channel}`);
    } catch (error) {
      drop(error as Error);
      throw error;
    }
    // The connection can be terminated in the same packet that confirmed LISTEN: its error event
    // then ran before this line, and this client must not be taken for a listening one.
    if (dropped) throw new Error('LISTEN connection ended while it was being set up');
    this.listener = client;
  }

  private reconnect(cause?: Error): void {
    if (this.reconnecting) return;
    this.log?.warn({ err: cause, channel: this.channel }, 'LISTEN connection lost; reconnecting');
    this.reconnecting = (async () => {
      // Until a connection is listening and stays so: one dropped while this loop runs (100
      // terminations 0.1 s apart) is seen here, not lost.
      for (let attempt = 0; !this.closed && this.listener === null; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 50 * 2 ** attempt)).unref());
        if (this.closed) return;
        try {
          await this.listen();
          this.log?.info({ channel: this.channel, attempts: attempt + 1 }, 'LISTEN connection re-established');
          this.events.emit('wake');
        } catch (error) {
          if (attempt === 0 || attempt % 10 === 9) this.log?.warn({ err: error, channel: this.channel, attempt: attempt + 1 }, 're-establishing LISTEN failed; retrying');
        }
      }
    })().finally(() => {
      this.reconnecting = null;
    });
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
    this.closed = true;
    await this.reconnecting;
    const listener = this.listener;
    this.listener = null;
    if (listener) {
      listener.removeAllListeners('end');
      listener.removeAllListeners('error');
      listener.on('error', () => undefined);
      await listener.query(`unlisten ${this.channel}`).catch(() => undefined);
      listener.release();
    }
  }
}
