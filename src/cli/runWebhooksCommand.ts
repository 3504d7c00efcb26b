import { AppError } from '../errors/AppError.js';
import type { WebhookEvent } from '../wire/Endpoint.js';
import type { MessageStatus } from '../wire/Message.js';
import { formatTable } from './formatTable.js';
import { parseCommandLine } from './parseCommandLine.js';
import { remoteClient } from './remoteLogin.js';

const usage = `Usage:
  stemline webhooks list
  stemline webhooks create <url> [--description <text>] [--events target.completed,target.error]
  stemline webhooks get <endpointId>
  stemline webhooks update <endpointId> [--url <url>] [--description <text>] [--events <list>] [--enable | --disable]
  stemline webhooks delete <endpointId>
  stemline webhooks rotate-secret <endpointId>
  stemline webhooks test <endpointId>
  stemline webhooks messages <endpointId> [--status pending|delivered|failed] [--take <n>]
  stemline webhooks retry <endpointId> <messageId>
  stemline webhooks recover <endpointId> --since <ISO time>

The server and key come from stemline login, STEMLINE_URL and STEMLINE_API_KEY, or --server and
--api-key (--url is the endpoint's own URL here). --json prints the API's answer as JSON.`;

/** `stemline webhooks ...`: the client's endpoints and their message log. */
export async function runWebhooksCommand(argv: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    description: { type: 'string' }, events: { type: 'string' }, url: { type: 'string' }, enable: { type: 'boolean' }, disable: { type: 'boolean' },
    status: { type: 'string' }, take: { type: 'string' }, since: { type: 'string' }, server: { type: 'string' }, 'api-key': { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  const [verb, id, messageId] = positionals;
  if (values.help || !verb) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  // --url names the endpoint's URL here; the server is --server (or the login).
  const { sdk } = await remoteClient({ url: values.server, 'api-key': values['api-key'] }, env);
  const call = { signal };
  const events = values.events?.split(',').map((e) => e.trim()).filter(Boolean) as WebhookEvent[] | undefined;
  const need = (value: string | undefined, what: string) => {
    if (!value) throw new AppError('invalid_argument', `Missing ${what}.\n\n${usage}`);
    return value;
  };
  const endpointColumns = ['id', 'url', 'enabled', 'events', 'failingSince', 'description'];
  let result: unknown;
  let text: string;
  switch (verb) {
    case 'list':
      result = await sdk.webhooks.list(call);
      text = formatTable(result, endpointColumns);
      break;
    case 'create': {
      const endpoint = await sdk.webhooks.create({ url: need(id, '<url>'), ...(values.description !== undefined && { description: values.description }), ...(events && { events }) }, call);
      result = endpoint;
      text = `${formatTable(endpoint, endpointColumns)}\nsecret ${endpoint.secret}  (verify deliveries with it; see docs/webhook-verification.md)`;
      break;
    }
    case 'get':
    case 'rotate-secret': {
      const endpoint = verb === 'get' ? await sdk.webhooks.get(need(id, '<endpointId>'), call) : await sdk.webhooks.rotateSecret(need(id, '<endpointId>'), call);
      result = endpoint;
      text = `${formatTable(endpoint, endpointColumns)}\nsecret ${endpoint.secret}${endpoint.previousSecretExpiresAt ? `  (the previous secret also signs until ${endpoint.previousSecretExpiresAt})` : ''}`;
      break;
    }
    case 'update': {
      if (values.enable && values.disable) throw new AppError('invalid_argument', '--enable and --disable: choose one.');
      result = await sdk.webhooks.update(need(id, '<endpointId>'), {
        ...(values.url !== undefined && { url: values.url }), ...(values.description !== undefined && { description: values.description }), ...(events && { events }),
        ...(values.enable && { enabled: true }), ...(values.disable && { enabled: false }),
      }, call);
      text = formatTable(result, endpointColumns);
      break;
    }
    case 'delete':
      result = await sdk.webhooks.delete(need(id, '<endpointId>'), call);
      text = `Deleted ${id} and its message log.`;
      break;
    case 'test':
      result = await sdk.webhooks.test(need(id, '<endpointId>'), call);
      text = `Queued test message ${(result as { id: string }).id}; \`stemline webhooks messages ${id}\` shows how it went.`;
      break;
    case 'messages': {
      if (values.status !== undefined && !['pending', 'delivered', 'failed'].includes(values.status)) throw new AppError('invalid_argument', `--status: one of pending, delivered, failed; got '${values.status}'.`);
      const messages = await sdk.webhooks.messages(need(id, '<endpointId>'), { status: values.status as MessageStatus | undefined, take: values.take === undefined ? undefined : Number(values.take) }, call);
      result = messages;
      text = formatTable(messages.map((m) => {
        const last = m.attempts.at(-1);
        return { id: m.id, event: m.event, status: m.status, attempts: m.attempts.length, last: last ? (last.statusCode ?? last.error ?? '') : '', createdAt: m.createdAt, nextAttemptAt: m.nextAttemptAt ?? '' };
      }));
      break;
    }
    case 'retry':
      result = await sdk.webhooks.retry(need(id, '<endpointId>'), need(messageId, '<messageId>'), call);
      text = `Message ${messageId} queued for redelivery.`;
      break;
    case 'recover': {
      const since = need(values.since, '--since <ISO time>');
      if (Number.isNaN(Date.parse(since))) throw new AppError('invalid_argument', `--since: an ISO 8601 time such as 2026-03-01T00:00:00Z, got '${since}'.`);
      result = await sdk.webhooks.recover(need(id, '<endpointId>'), since, call);
      text = `${(result as { recovered: number }).recovered} failed messages queued for redelivery.`;
      break;
    }
    default:
      throw new AppError('invalid_argument', `Unknown command: webhooks ${verb}.\n\n${usage}`);
  }
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${text}\n`);
  return 0;
}
