import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process; gauges that need the database are filled at scrape time. */
export function createMetrics(collect: { queueDepth: () => Promise<{ waiting: number; running: number }>; targetsByStatus: () => Promise<Record<string, number>>; webhooksPending: () => Promise<number> }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stemline_process_' });
  const requests = new Counter({ name: 'stemline_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'stemline_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [registry],
  });
  new Gauge({
    name: 'stemline_queue_targets', help: 'Targets waiting for or held by a worker', labelNames: ['state'], registers: [registry],
    async collect() {
      const depth = await collect.queueDepth();
      this.set({ state: 'waiting' }, depth.waiting);
      this.set({ state: 'running' }, depth.running);
    },
  });
  new Gauge({
    name: 'stemline_targets', help: 'Targets by status', labelNames: ['status'], registers: [registry],
    async collect() {
      for (const [status, n] of Object.entries(await collect.targetsByStatus())) this.set({ status }, n);
    },
  });
  const targetsEnded = new Counter({ name: 'stemline_targets_ended_total', help: 'Targets ended by this process', labelNames: ['status', 'model'], registers: [registry] });
  const separationSeconds = new Counter({ name: 'stemline_separation_audio_seconds_total', help: 'Seconds of input audio separated by this process (once per pass, however many targets it served)', registers: [registry] });
  const separationPasses = new Counter({ name: 'stemline_separation_passes_total', help: 'Passes over a task input (one decode and one run of each engine for all its due targets)', registers: [registry] });
  const separationPassTargets = new Counter({ name: 'stemline_separation_pass_targets_total', help: 'Targets served by those passes (divided by the passes: targets per pass)', registers: [registry] });
  const separationPassSeconds = new Counter({ name: 'stemline_separation_pass_seconds_total', help: 'Wall time of those passes (decode, separation, encoding), storage excluded', registers: [registry] });
  const storageSeconds = new Counter({ name: 'stemline_storage_seconds_total', help: 'Worker time reading task inputs from the store (read) and writing outputs to it (write)', labelNames: ['operation'], registers: [registry] });
  new Gauge({
    name: 'stemline_webhook_messages_pending', help: 'Webhook messages waiting for delivery or a retry', registers: [registry],
    async collect() {
      this.set(await collect.webhooksPending());
    },
  });
  const webhookAttempts = new Counter({
    name: 'stemline_webhook_attempts_total', help: 'Webhook delivery attempts by outcome (delivered, retrying, failed)', labelNames: ['outcome'], registers: [registry],
  });
  const webhookLatency = new Histogram({
    name: 'stemline_webhook_attempt_duration_seconds', help: 'Duration of webhook delivery attempts', labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15], registers: [registry],
  });
  const webhookCommitToReceipt = new Histogram({
    name: 'stemline_webhook_delivery_delay_seconds', help: 'From the event (target ended) to its successful delivery', registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600, 36_000, 129_600],
  });
  return { registry, requests, latency, targetsEnded, separationSeconds, separationPasses, separationPassTargets, separationPassSeconds, storageSeconds, webhookAttempts, webhookLatency, webhookCommitToReceipt };
}

export type Metrics = ReturnType<typeof createMetrics>;
