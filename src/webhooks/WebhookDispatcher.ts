import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { LinkSigner } from '../domain/renderTask.js';
import type { AttemptRecord, ClaimedMessage, MessageQueue } from '../queue/messageQueue.js';
import type { Wakeups } from '../queue/Wakeups.js';
import { buildDelivery } from './buildDelivery.js';
import { nextAttemptDelay } from './nextAttemptDelay.js';
import { sendWebhook, type SendResult } from './sendWebhook.js';

export interface DispatcherOptions {
  timeoutMs: number;
  retryScheduleMs: readonly number[];
  disableAfterMs: number;
  /** Attempts in flight per endpoint in this process: a slow endpoint holds at most these. */
  perEndpoint: number;
  /** Attempts in flight in this process, all endpoints together. */
  maxInFlight: number;
  /** Longest wait between looks for due messages (retries come due without a wake-up). */
  pollMs: number;
  version: string;
}

export interface DispatcherEvents {
  attempt(message: ClaimedMessage, result: SendResult, outcome: 'delivered' | 'retrying' | 'failed'): void;
}

interface Lane {
  endpointId: string;
  inFlight: number;
  claiming: boolean;
  /** The last claim found fewer messages than it asked for: wait for discovery before claiming again. */
  drained: boolean;
}

/**
 * Delivers webhook messages. Each endpoint has its own lane with its own concurrency limit, so a
 * slow or dead endpoint only ever holds its own slots and never delays another endpoint. Lanes are
 * found by discovery (on a wake-up from the outbox, and every `pollMs` for retries coming due) and
 * then claim batches on their own while their backlog lasts. Attempts are recorded in batches (one
 * transaction per batch); a message stays leased until its attempt is recorded.
 */
export class WebhookDispatcher {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly lanes = new Map<string, Lane>();
  private readonly starved = new Set<Lane>();
  private readonly sends = new Set<Promise<void>>();
  private readonly interrupt = new AbortController();
  private readonly leaseMs: number;
  private inFlight = 0;
  private records: AttemptRecord[] = [];
  private toRelease: string[] = [];
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private dirty = false;
  private kick: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  // Fan-out: the endpoints of one event render the same body within a second (links included).
  private renderedSecond = 0;
  private readonly rendered = new Map<string, string>();

  constructor(
    private readonly queue: MessageQueue,
    private readonly deps: { http: Dispatcher; sign: LinkSigner; wakeups: Wakeups; random?: () => number },
    private readonly options: DispatcherOptions,
    private readonly log: Logger,
    private readonly events?: DispatcherEvents,
  ) {
    // Long enough for an attempt and its recording; a dispatcher silent for longer is presumed dead.
    this.leaseMs = 2 * options.timeoutMs + 5000;
  }

  start(): void {
    this.unsubscribe ??= this.deps.wakeups.subscribe(() => {
      this.dirty = true;
      this.kick?.();
    });
    this.loop ??= this.run();
  }

  /** Stops claiming; attempts in flight get `graceMs` to finish, then are interrupted and released. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.kick?.();
    await this.loop;
    const all = () => Promise.all([...this.sends]);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
    if ((await Promise.race([all(), timer])) === 'timeout') {
      this.interrupt.abort();
      await all();
    }
    while (this.flushing) await this.flushing;
    await this.queue.release(this.toRelease.splice(0), this.owner).catch((error) => this.log.error({ err: error }, 'releasing webhook messages failed'));
  }

  /** Attempts in flight now (for tests and metrics). */
  get active(): number {
    return this.inFlight;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.dirty = false;
      try {
        await this.discover();
      } catch (error) {
        this.log.error({ err: error }, 'looking for due webhook messages failed');
      }
      if (!this.dirty && !this.stopped) await this.sleep(this.options.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.kick = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.kick = done;
    });
  }

  private async discover(): Promise<void> {
    for (const endpointId of await this.queue.dueEndpoints(Date.now(), 1000)) {
      let lane = this.lanes.get(endpointId);
      if (!lane) {
        lane = { endpointId, inFlight: 0, claiming: false, drained: false };
        this.lanes.set(endpointId, lane);
      }
      lane.drained = false;
      this.pump(lane);
    }
  }

  private pump(lane: Lane): void {
    if (lane.claiming || lane.drained || this.stopped) return;
    const laneFree = this.options.perEndpoint - lane.inFlight;
    const globalFree = this.options.maxInFlight - this.inFlight;
    if (globalFree <= 0 && laneFree > 0) this.starved.add(lane);
    const free = Math.min(laneFree, globalFree);
    // Claim in batches while attempts are in flight: one query per several deliveries.
    if (free <= 0 || (lane.inFlight > 0 && free < Math.ceil(this.options.perEndpoint / 4))) return;
    lane.claiming = true;
    this.claimInto(lane, free)
      .catch((error) => {
        lane.drained = true;
        this.log.error({ err: error, endpointId: lane.endpointId }, 'claiming webhook messages failed');
      })
      .finally(() => {
        lane.claiming = false;
        this.retireIfIdle(lane);
      });
  }

  private async claimInto(lane: Lane, free: number): Promise<void> {
    const endpoint = await this.queue.endpoint(lane.endpointId);
    if (!endpoint?.enabled) {
      lane.drained = true;
      return;
    }
    const now = Date.now();
    const batch = await this.queue.claim(lane.endpointId, this.owner, now, this.leaseMs, free);
    if (batch.length < free) lane.drained = true;
    if (this.stopped) {
      await this.queue.release(batch.map((m) => m.id), this.owner);
      return;
    }
    const second = Math.floor(now / 1000);
    if (second !== this.renderedSecond) {
      this.rendered.clear();
      this.renderedSecond = second;
    }
    for (const message of batch) {
      const key = `${message.event}:${message.targetId}`;
      let delivery;
      try {
        delivery = buildDelivery(message, endpoint, this.deps.sign, now, this.options.version, this.rendered.get(key));
      } catch (error) {
        // A snapshot that cannot be rendered would fail forever: record it as a failed attempt.
        this.log.error({ err: error, messageId: message.id }, 'rendering a webhook failed');
        this.settle(lane, message, { ok: false, statusCode: null, durationMs: 0, error: `could not render the payload: ${(error as Error).message}`, response: '', retryAfterMs: null }, now);
        continue;
      }
      if (this.rendered.size < 10_000) this.rendered.set(key, delivery.body);
      lane.inFlight++;
      this.inFlight++;
      const send: Promise<void> = sendWebhook(delivery, { dispatcher: this.deps.http, timeoutMs: this.options.timeoutMs, stop: this.interrupt.signal })
        .then((result) => {
          lane.inFlight--;
          this.inFlight--;
          if (this.interrupt.signal.aborted && !result.ok && result.statusCode === null) this.toRelease.push(message.id);
          else this.settle(lane, message, result, now);
          this.pump(lane);
          this.retireIfIdle(lane);
          for (const waiting of [...this.starved]) {
            this.starved.delete(waiting);
            this.pump(waiting);
          }
        })
        .finally(() => this.sends.delete(send));
      this.sends.add(send);
    }
  }

  /** Turns an attempt's result into the message's next state and queues it for recording. */
  private settle(lane: Lane, message: ClaimedMessage, result: SendResult, at: number): void {
    const attempt = message.attempts + 1;
    let outcome: AttemptRecord['outcome'];
    let label: 'delivered' | 'retrying' | 'failed';
    if (result.ok) {
      outcome = { delivered: true };
      label = 'delivered';
    } else {
      const delay = nextAttemptDelay(attempt, this.options.retryScheduleMs, this.deps.random ?? Math.random, result.retryAfterMs);
      outcome = { delivered: false, nextAttemptAt: delay === null ? null : Date.now() + delay };
      label = delay === null ? 'failed' : 'retrying';
      const fields = { messageId: message.id, endpointId: lane.endpointId, attempt, statusCode: result.statusCode, error: result.error, retryInMs: delay };
      if (delay === null) this.log.warn(fields, 'webhook message failed: no retries left');
      else this.log.info(fields, 'webhook attempt failed; will retry');
    }
    this.records.push({
      messageId: message.id, endpointId: lane.endpointId, attempt, at, durationMs: result.durationMs, statusCode: result.statusCode,
      error: result.error, response: result.response, outcome,
    });
    this.events?.attempt(message, result, label);
    this.flush();
  }

  /** Group commit: one flush runs at a time and takes everything recorded meanwhile. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.records.length > 0) {
        const batch = this.records.splice(0);
        try {
          const disabled = await this.queue.record(batch, this.owner, Date.now(), this.options.disableAfterMs);
          for (const endpointId of disabled) this.log.warn({ endpointId }, 'webhook endpoint disabled: every attempt failed for the disable period');
        } catch (error) {
          // The messages stay leased and are retried once the lease runs out (same webhook-id).
          this.log.error({ err: error, count: batch.length }, 'recording webhook attempts failed');
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
  }

  private retireIfIdle(lane: Lane): void {
    if (lane.drained && lane.inFlight === 0 && !lane.claiming && this.lanes.get(lane.endpointId) === lane) this.lanes.delete(lane.endpointId);
  }
}
