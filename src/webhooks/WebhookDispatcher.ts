import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Links } from '../storage/Links.js';
import type { WebhookEndpoint } from '../domain/records.js';
import type { AttemptRecord, ClaimedMessage, MessageQueue } from '../queue/messageQueue.js';
import { ClaimLoop, type JobContext } from '../queue/ClaimLoop.js';
import { retryThroughOutages } from '../queue/retryThroughOutages.js';
import type { Wakeups } from '../queue/Wakeups.js';
import { isTransientDatabaseError } from '../errors/classifyError.js';
import { buildDelivery } from './buildDelivery.js';
import { renderEventBody } from './renderEventBody.js';
import { nextAttemptDelay } from './nextAttemptDelay.js';
import { sendWebhook, type SendResult } from './sendWebhook.js';

export interface DispatcherOptions {
  timeoutMs: number;
  retryScheduleMs: readonly number[];
  disableAfterMs: number;
  /** Attempts in flight per endpoint in this process: a slow endpoint holds at most these. */
  perEndpoint: number;
  /** Messages this process holds (in flight or claimed and queued in a lane), all endpoints together. */
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
  endpoint: WebhookEndpoint | null;
  endpointReadAt: number;
  inFlight: number;
  /** Claimed and waiting for a free slot of this lane (prefetched: claims come in batches). */
  queued: ClaimedMessage[];
  claiming: boolean;
  /** The last claim found fewer messages than it asked for: wait for discovery before claiming again. */
  drained: boolean;
  /** Ends the lane's job in the claim loop once it is drained and idle. */
  retire: () => void;
}

/**
 * Delivers webhook messages. Each endpoint has its own lane with its own concurrency limit, so a
 * slow or dead endpoint only ever holds its own slots and never delays another endpoint. Lanes are
 * the jobs of the shared claim loop (the one the target worker runs): its claim is discovery of
 * endpoints with due messages (on a wake-up from the outbox, and every `pollMs` for retries coming
 * due), and each lane then claims batches (up to twice its concurrency, so the next batch is at hand)
 * on its own while its backlog lasts, and ends when it is drained and idle. Attempts are recorded
 * in batches (one transaction every few milliseconds); a message stays leased until its attempt is
 * recorded.
 */
export class WebhookDispatcher {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly lanes = new Map<string, Lane>();
  private readonly starved = new Set<Lane>();
  /** Attempts in flight, each with its controller (to interrupt it at the end of a shutdown's grace period) and its lane. */
  private readonly sendLanes = new Map<AbortController, Lane>();
  private interrupted = false;
  private readonly leaseMs: number;
  private attemptCount = 0;
  /** Messages this process holds: in flight plus queued in lanes. */
  private held = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private records: AttemptRecord[] = [];
  private toRelease: string[] = [];
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private readonly loop: ClaimLoop<Lane>;
  /** Endpoints found due by the last discovery that have no lane yet. */
  private discovered: string[] = [];
  // Fan-out: the endpoints of one event render the same body within a second (links included).
  private renderedSecond = 0;
  private readonly rendered = new Map<string, string>();

  constructor(
    private readonly queue: MessageQueue,
    private readonly deps: { http: Dispatcher; links: Links; wakeups: Wakeups; random?: () => number },
    private readonly options: DispatcherOptions,
    private readonly log: Logger,
    private readonly events?: DispatcherEvents,
  ) {
    // Long enough for an attempt and its recording; a dispatcher silent for longer is presumed dead.
    this.leaseMs = 2 * options.timeoutMs + 5000;
    // One lane per endpoint with due messages; the global limit of held messages bounds them anyway.
    this.loop = new ClaimLoop<Lane>({
      name: 'webhook endpoint', concurrency: Math.max(1, options.maxInFlight), pollMs: options.pollMs,
      claim: () => this.nextLane(),
      run: (lane, context) => this.runLane(lane, context),
    }, deps.wakeups, log);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops claiming; attempts in flight get `graceMs` to finish, then are interrupted and released. */
  async stop(graceMs: number): Promise<void> {
    // Lanes stop claiming and sending queued messages; each ends when its attempts in flight have.
    this.stopped = true;
    for (const lane of this.lanes.values()) this.retireIfIdle(lane);
    await this.loop.stop(graceMs);
    for (const lane of this.lanes.values()) this.toRelease.push(...lane.queued.splice(0).map((m) => m.id));
    this.flush();
    while (this.flushing) await this.flushing;
    await this.queue.release(this.toRelease.splice(0), this.owner).catch((error) => this.log.error({ err: error }, 'releasing webhook messages failed'));
  }

  /** Attempts this dispatcher has made since it started. */
  get attempted(): number {
    return this.attemptCount;
  }

  /**
   * The claim of the loop: the next endpoint with due messages and no lane yet. Discovery runs when
   * the last one's finds are used up; endpoints that already have a lane are pumped instead.
   */
  private async nextLane(): Promise<Lane | null> {
    if (this.stopped) return null;
    if (this.discovered.length === 0) {
      for (const endpointId of await this.queue.dueEndpoints(Date.now(), 1000)) {
        const lane = this.lanes.get(endpointId);
        if (!lane) {
          this.discovered.push(endpointId);
          continue;
        }
        lane.drained = false;
        this.pump(lane);
      }
    }
    const endpointId = this.discovered.shift();
    if (endpointId === undefined) return null;
    if (this.lanes.has(endpointId)) return this.nextLane();
    const lane: Lane = { endpointId, endpoint: null, endpointReadAt: 0, inFlight: 0, queued: [], claiming: false, drained: false, retire: () => undefined };
    this.lanes.set(endpointId, lane);
    return lane;
  }

  /** A lane's job: runs until the lane is drained and idle; at the end of a shutdown's grace period its attempts are interrupted. */
  private runLane(lane: Lane, context: JobContext): Promise<void> {
    return new Promise<void>((resolve) => {
      lane.retire = resolve;
      context.signal.addEventListener('abort', () => {
        this.interrupted = true;
        for (const [abort, owner] of this.sendLanes) if (owner === lane) abort.abort();
      }, { once: true });
      this.pump(lane);
      this.retireIfIdle(lane);
    });
  }

  private pump(lane: Lane): void {
    this.sendQueued(lane);
    if (lane.claiming || lane.drained || this.stopped) return;
    const laneHeld = lane.inFlight + lane.queued.length;
    // Claim when the lane is down to one batch's worth, for up to two batches.
    if (laneHeld > this.options.perEndpoint) return;
    const globalFree = this.options.maxInFlight - this.held;
    if (globalFree <= 0) {
      this.starved.add(lane);
      return;
    }
    const free = Math.min(2 * this.options.perEndpoint - laneHeld, globalFree);
    lane.claiming = true;
    this.claimInto(lane, free)
      .catch((error) => {
        lane.drained = true;
        this.log.error({ err: error, endpointId: lane.endpointId }, 'claiming webhook messages failed');
      })
      .finally(() => {
        lane.claiming = false;
        this.sendQueued(lane);
        this.retireIfIdle(lane);
      });
  }

  private async claimInto(lane: Lane, free: number): Promise<void> {
    // Re-read at most every second: a changed URL, secret or enabled flag applies within a second.
    if (Date.now() - lane.endpointReadAt >= 1000) {
      lane.endpoint = await this.queue.endpoint(lane.endpointId);
      lane.endpointReadAt = Date.now();
    }
    if (!lane.endpoint?.enabled) {
      // Disabled or deleted meanwhile: what the lane still holds goes back (or is gone with it).
      lane.drained = true;
      const held = lane.queued.splice(0).map((m) => m.id);
      this.held -= held.length;
      await this.queue.release(held, this.owner);
      return;
    }
    const batch = await this.queue.claim(lane.endpointId, this.owner, Date.now(), this.leaseMs, free);
    if (batch.length < free) lane.drained = true;
    if (this.stopped) {
      await this.queue.release(batch.map((m) => m.id), this.owner);
      return;
    }
    lane.queued.push(...batch);
    this.held += batch.length;
  }

  /** Starts queued messages while the lane has free slots. */
  private sendQueued(lane: Lane): void {
    while (lane.queued.length > 0 && lane.inFlight < this.options.perEndpoint && !this.stopped && lane.endpoint) {
      this.send(lane, lane.endpoint, lane.queued.shift()!);
    }
  }

  private send(lane: Lane, endpoint: WebhookEndpoint, message: ClaimedMessage): void {
    const now = Date.now();
    lane.inFlight++;
    const abort = new AbortController();
    const sending: Promise<void> = this.render(message)
      .then((body) => sendWebhook(buildDelivery(message, endpoint, body, now, this.options.version), { dispatcher: this.deps.http, timeoutMs: this.options.timeoutMs, abort }), (error: unknown): SendResult => {
        // A snapshot that cannot be rendered (or links that cannot be signed): a failed attempt, retried.
        this.log.error({ err: error, messageId: message.id }, 'rendering a webhook failed');
        return { ok: false, statusCode: null, durationMs: 0, error: `could not render the payload: ${(error as Error).message}`, response: '', retryAfterMs: null };
      })
      .then((result) => {
        lane.inFlight--;
        this.held--;
        if (this.interrupted && !result.ok && result.statusCode === null) this.toRelease.push(message.id);
        else this.settle(lane, message, result, now);
        this.pump(lane);
        this.retireIfIdle(lane);
        for (const waiting of [...this.starved]) {
          this.starved.delete(waiting);
          this.pump(waiting);
        }
      })
      .catch((error) => this.log.error({ err: error, messageId: message.id }, 'settling a webhook attempt failed; the message is retried when its lease ends'))
      .finally(() => {
        this.sendLanes.delete(abort);
        this.retireIfIdle(lane);
      });
    this.sendLanes.set(abort, lane);
    void sending;
  }

  /**
   * The event's Task snapshot as GET /tasks/{id} renders it, links signed now. Fan-out of one event to
   * several endpoints within a second shares one rendering.
   */
  private async render(message: ClaimedMessage): Promise<string> {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.renderedSecond) {
      this.rendered.clear();
      this.renderedSecond = second;
    }
    const key = `${message.event}:${message.targetId}`;
    const cached = this.rendered.get(key);
    if (cached !== undefined) return cached;
    const body = await renderEventBody(message.payload, this.deps.links);
    if (this.rendered.size < 10_000) this.rendered.set(key, body);
    return body;
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
    this.attemptCount++;
    this.records.push({
      messageId: message.id, endpointId: lane.endpointId, attempt, at, durationMs: result.durationMs, statusCode: result.statusCode,
      error: result.error, response: result.response, outcome,
    });
    this.events?.attempt(message, result, label);
    this.flush();
  }

  /**
   * Group commit: records wait up to 2 ms (or until 256 are waiting) and are written in one
   * transaction; one flush runs at a time and the next takes everything recorded meanwhile.
   */
  private flush(now = false): void {
    if (this.flushing) return;
    if (!now && this.records.length < 256 && !this.stopped) {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        this.flush(true);
      }, 2);
      return;
    }
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    this.flushing = (async () => {
      while (this.records.length > 0) {
        const batch = this.records.splice(0);
        try {
          // A dropped connection: try again soon, or the receiver gets the messages twice.
          const disabled = await retryThroughOutages(() => this.queue.record(batch, this.owner, Date.now(), this.options.disableAfterMs), { tries: 5, retryable: isTransientDatabaseError });
          for (const endpointId of disabled) this.log.warn({ endpointId }, 'webhook endpoint disabled: every attempt failed for the disable period');
        } catch (error) {
          // The messages stay leased and are retried once the lease runs out (same webhook-id).
          this.log.error({ err: error, count: batch.length }, 'recording webhook attempts failed');
        }
      }
    })().finally(() => {
      this.flushing = null;
      if (this.records.length > 0) this.flush(true);
    });
  }

  private retireIfIdle(lane: Lane): void {
    if (lane.inFlight > 0 || lane.claiming) return;
    // Drained and empty, or shutting down (what it still queues is released by stop).
    if (!(this.stopped || (lane.drained && lane.queued.length === 0))) return;
    if (!this.stopped && this.lanes.get(lane.endpointId) === lane) this.lanes.delete(lane.endpointId);
    lane.retire();
  }
}
