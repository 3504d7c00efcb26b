import { AppError } from '../errors/AppError.js';
import { ConnectionError, StemlineError } from '../sdk/StemlineError.js';
import type { ListenDelivery } from '../wire/Listen.js';
import { parseCommandLine } from './parseCommandLine.js';
import { remoteClient } from './remoteLogin.js';

const usage = `Usage: stemline listen --forward-to <local URL>

Receives the signed-in client's webhooks over a stream this command opens to the server (the server
never connects to your machine) and POSTs each one to the local URL with the same headers and body a
real endpoint gets. Prints the secret to verify them with, then one line per event with your
server's answer. Events are sent to the stream only while it is open; your real endpoints get
every event as always. Reconnects by itself if the connection drops. Ctrl-C stops.

Options:
  --forward-to <url>  where to POST each webhook, e.g. http://localhost:3000/hooks (required)
  --url, --api-key    the server and key (default: stemline login, STEMLINE_URL, STEMLINE_API_KEY)
  --json              one JSON object per line: {"ready"} first, then one per event
  -h, --help          show this help`;

/** `stemline listen --forward-to URL`. Runs until interrupted. */
export async function runListenCommand(argv: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const { values } = parseCommandLine(argv, {
    'forward-to': { type: 'string' }, url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const target = values['forward-to'];
  if (!target) throw new AppError('invalid_argument', `--forward-to is required, e.g. --forward-to http://localhost:3000/hooks.\n\n${usage}`);
  let forwardUrl: URL;
  try {
    forwardUrl = new URL(target);
    if (!/^https?:$/.test(forwardUrl.protocol)) throw new Error('not http');
  } catch {
    throw new AppError('invalid_argument', `--forward-to: an http(s) URL such as http://localhost:3000/hooks, got '${target}'.`);
  }
  const { sdk, login } = await remoteClient(values, env);
  const line = (json: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
  let failures = 0;
  let announced = false;
  while (!signal.aborted) {
    try {
      for await (const event of sdk.webhooks.listen({ signal })) {
        failures = 0;
        if (event.type === 'ready') {
          if (!announced) {
            line({ ready: { url: login.url, forwardTo: forwardUrl.href, ...event.ready } }, `Ready. Forwarding the webhooks of ${login.url} to ${forwardUrl.href}\nVerify them with the secret ${event.ready.secret}\n(Ctrl-C stops.)`);
            announced = true;
          } else if (!values.json) process.stderr.write('Reconnected.\n');
          continue;
        }
        const result = await forward(forwardUrl.href, event.delivery, signal);
        const d = event.delivery;
        const when = new Date().toISOString();
        line({ at: when, id: d.id, event: d.event, taskId: d.headers['x-stemline-task-id'], targetId: d.headers['x-stemline-target-id'], ...result },
          `${when}  ${d.event.padEnd(16)} task ${d.headers['x-stemline-task-id']} target ${d.headers['x-stemline-target-id']}  -> ${result.status === null ? `error: ${result.error}` : `${result.status}`} (${result.durationMs} ms)`);
      }
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof StemlineError && !(error instanceof ConnectionError) && error.status !== 503) throw error;
      failures++;
      const wait = Math.min(30, 2 ** Math.min(failures, 5));
      process.stderr.write(`The stream to ${login.url} dropped (${(error as Error).message}); reconnecting in ${wait} s.\n`);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000).unref());
      continue;
    }
    if (!signal.aborted) {
      process.stderr.write(`The server closed the stream; reconnecting.\n`);
      await new Promise((resolve) => setTimeout(resolve, 1000).unref());
    }
  }
  return 0;
}

/** POSTs one webhook to the developer's server: the exact body, the delivery's headers. */
async function forward(url: string, delivery: ListenDelivery, signal: AbortSignal): Promise<{ status: number | null; durationMs: number; error?: string }> {
  const started = performance.now();
  try {
    // A redirect is the answer (real deliveries do not follow them either), never a POST turned GET.
    const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: null, durationMs: Math.round(performance.now() - started), error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}
