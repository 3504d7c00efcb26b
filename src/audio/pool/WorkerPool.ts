import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker, type TransferListItem } from 'node:worker_threads';

interface Job {
  message: unknown;
  transfer: TransferListItem[];
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/**
 * A fixed set of worker threads running one script; jobs queue FIFO and each worker takes one at a
 * time. A worker that dies fails its job and is replaced.
 */
export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private closed = false;
  private failures = 0;

  constructor(private readonly script: URL, size = availableParallelism()) {
    this.size = Math.max(1, size);
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  run<T>(message: unknown, transfer: TransferListItem[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ message, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('worker pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = this.script.pathname.endsWith('.ts') ? typeScriptWorker(this.script) : new Worker(this.script);
    const slot: Slot = { worker, job: null };
    worker.on('message', (reply: { ok: true; value: unknown } | { ok: false; error: { message: string; name: string; code?: string } }) => {
      const job = slot.job;
      slot.job = null;
      this.failures = 0;
      if (job) {
        if (reply.ok) job.resolve(reply.value);
        else job.reject(Object.assign(new Error(reply.error.message), reply.error));
      }
      this.dispatch();
    });
    worker.on('error', (error) => {
      slot.job?.reject(error);
      slot.job = null;
    });
    worker.on('exit', () => {
      if (this.closed) return;
      slot.job?.reject(new Error('separation worker exited unexpectedly'));
      slot.job = null;
      // A worker that cannot even start would be replaced forever: give up after a few in a row.
      if (++this.failures > 3) {
        this.closed = true;
        for (const job of this.queue.splice(0)) job.reject(new Error('separation workers keep exiting; see the log above'));
        return;
      }
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.spawn();
      this.dispatch();
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.postMessage(job.message, job.transfer);
    }
  }
}

/**
 * Tests and benchmarks run the TypeScript sources under tsx; Node 20 does not apply `--import` hooks
 * to a worker's entry module, so a tiny bootstrap registers tsx first.
 */
function typeScriptWorker(script: URL): Worker {
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs');
  const bootstrap = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((m) => { m.register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}
