import fc from 'fast-check';
import { request, Agent } from 'undici';
import { errorCatalogue } from '../../src/errors/errorCatalogue.js';

/** What the fuzzer knows of a running service: keys and ids that exist, so requests reach deep code. */
export interface FuzzTarget {
  baseUrl: string;
  adminKey: string;
  clientKey: string;
  ids: { asset: string; task: string; client: string; endpoint: string; message: string };
  /** A small valid wav (the multipart uploads mutate it). */
  wav: Uint8Array;
  /** Text that must never appear in an answer (the data dir). */
  secrets: string[];
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  /** Answers that break a rule: a 5xx other than 503, an error body outside the catalogue shape, a server path. */
  violations: { request: FuzzRequest; status: number; body: string; rule: string }[];
  /** Requests the client could not complete (connection reset); a few are expected after a 413. */
  transportErrors: number;
}

const routes: [string, string][] = [
  ['GET', '/models'], ['POST', '/assets'], ['GET', '/assets'], ['GET', '/assets/:asset'], ['DELETE', '/assets/:asset'],
  ['POST', '/tasks'], ['GET', '/tasks'], ['GET', '/tasks/statistics'], ['GET', '/tasks/:task'],
  ['POST', '/admin/clients'], ['GET', '/admin/clients'], ['POST', '/admin/clients/:client/keys'], ['GET', '/admin/clients/:client/keys'],
  ['DELETE', '/admin/keys/:any'], ['POST', '/admin/clients/:client/credits'],
  ['GET', '/webhooks'], ['POST', '/webhooks'], ['GET', '/webhooks/:endpoint'], ['PATCH', '/webhooks/:endpoint'], ['DELETE', '/webhooks/:endpoint'],
  ['POST', '/webhooks/:endpoint/rotate-secret'], ['POST', '/webhooks/:endpoint/test'], ['GET', '/webhooks/:endpoint/messages'],
  ['POST', '/webhooks/:endpoint/messages/:message/retry'], ['POST', '/webhooks/:endpoint/recover'],
  ['POST', '/session'], ['GET', '/session'], ['DELETE', '/session'], ['GET', '/account'], ['GET', '/keys'], ['POST', '/keys'], ['DELETE', '/keys/:any'],
  ['GET', '/healthz'], ['GET', '/readyz'], ['GET', '/metrics'], ['GET', '/openapi.json'], ['GET', '/files/:file'], ['GET', '/dashboard/'], ['GET', '/dashboard/:file'],
  ['HEAD', '/tasks'], ['OPTIONS', '/tasks'], ['PUT', '/tasks'], ['GET', '/:any'],
];

const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '%', '%E0%A4%A', '%00', 'a\u0000b', '%ZZ', '..', '../..', '%2e%2e%2f', 'null', 'undefined', '-1', '0', '1e309', 'NaN', '[]', '{}', 'ö', '\u{1F3B5}', 'a'.repeat(3000)),
  fc.integer().map(String),
  fc.double().map(String),
);

/** A path segment: a real id, or something else entirely, percent-encoded where the URL needs it. */
const segment = (real: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(real) }, { weight: 2, arbitrary: junk.map(encodeSegment) }, { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%', '%%', '%C0%AF', 'a%00b') });

function encodeSegment(text: string): string {
  // Keep some raw %-sequences (broken escapes are part of the test) but make the rest a valid request target.
  return [...text].map((ch) => (/[A-Za-z0-9._~%!$&'()*+,;=:@-]/.test(ch) ? ch : encodeURIComponent(ch))).join('');
}

const queryValue = fc.oneof(junk, fc.integer({ min: -5, max: 200 }).map(String), fc.constantFrom('100000000000000000000', '-1', '1.5', '10', '0', 'processing', 'completed', 'error', 'usage', 'distribution', 'vocals', '2026-01-01T00:00:00.000Z', 'yesterday'));
const queryName = fc.constantFrom('skip', 'take', 'status', 'model', 'createdAfter', 'createdBefore', 'name', 'since', 'expires', 'signature', 'x', 'skip[]', '__proto__', 'constructor');
const query = fc.array(fc.tuple(queryName, queryValue), { maxLength: 5 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${encodeSegment(v)}`).join('&')}`));

function templates(target: FuzzTarget): Record<string, unknown[]> {
  const targets = [{ model: 'vocals', formats: ['wav'] }];
  return {
    'POST /tasks': [{ assetId: target.ids.asset, targets }, { url: 'http://127.0.0.1:9/a.wav', targets, metadata: 'm' }, { assetId: target.ids.asset, targets: [{ model: 'drums', formats: ['wav', 'mp3'], residual: true }] }],
    'POST /admin/clients': [{ name: 'fuzz', credits: 5 }, { name: 'fuzz', credits: null }],
    'POST /admin/clients/:client/credits': [{ delta: 1 }],
    'POST /webhooks': [{ url: 'http://127.0.0.1:9/hook', description: 'd', events: ['target.completed'] }],
    'PATCH /webhooks/:endpoint': [{ enabled: false }, { url: 'http://127.0.0.1:9/other' }, { description: null, events: ['target.error'] }],
    'POST /webhooks/:endpoint/recover': [{ since: '2026-01-01T00:00:00.000Z' }],
    'POST /session': [{ key: target.clientKey }, { key: 'sl_nope' }],
  };
}

/** Replaces, removes or adds one value somewhere in a JSON template. */
function mutate(template: unknown, choices: { path: number; action: number; value: unknown; key: string }): unknown {
  const copy = structuredClone(template) as Record<string, unknown>;
  const containers: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((v, i) => {
      containers.push([node, i]);
      walk(v);
    });
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) {
      containers.push([node as Record<string, unknown>, k]);
      walk(v);
    }
  };
  walk(copy);
  if (containers.length === 0) return choices.value;
  const [container, key] = containers[choices.path % containers.length];
  if (choices.action === 0) (container as Record<string | number, unknown>)[key] = choices.value;
  else if (choices.action === 1) {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  } else if (!Array.isArray(container)) container[choices.key] = choices.value;
  else container.push(choices.value);
  return copy;
}

function multipart(boundary: string, field: string, filename: string, content: Uint8Array, cut: number | null): Buffer {
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: audio/wav\r\n\r\n`);
  const whole = Buffer.concat([head, Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return cut === null ? whole : whole.subarray(0, Math.min(whole.length, cut));
}

/** The arbitrary of one request against `target`. */
export function requestArbitrary(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const shapes = templates(target);
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), junk, fc.constantFrom(0, -1, 1e308, -1e308, 1e12 + 1, 0.5, true, false, null, '', [], {}, 'true', '5', 'x'.repeat(5000)));
  const keyHeader = fc.oneof(
    { weight: 4, arbitrary: fc.constant(target.adminKey) }, { weight: 3, arbitrary: fc.constant(target.clientKey) },
    { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 300 }) },
  );
  const cookie = fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: junk.map((j) => `stemline_session=${j}`) }, { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 200 }) });
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=zz', 'application/octet-stream', 'garbage', null);
  return fc.record({
    route: fc.constantFrom(...routes),
    path: fc.record({ asset: segment(target.ids.asset), task: segment(target.ids.task), client: segment(target.ids.client), endpoint: segment(target.ids.endpoint), message: segment(target.ids.message), any: segment('cnothing0000000000000000000'), file: segment('assets/x/a.wav') }),
    query,
    key: keyHeader,
    cookie,
    csrf: fc.boolean(),
    contentType,
    range: fc.option(fc.constantFrom('bytes=0-10', 'bytes=-5', 'bytes=999999999-', 'bytes=5-1', 'items=0-1', 'bytes=abc'), { nil: null }),
    body: fc.oneof(
      { weight: 5, arbitrary: fc.record({ template: fc.nat(), path: fc.nat(), action: fc.nat({ max: 3 }), value, key: fc.constantFrom('extra', '__proto__', 'constructor', 'targets', 'credits') }).map((m) => ({ kind: 'json' as const, ...m })) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: 'raw' as const, text: JSON.stringify(v) })) },
      { weight: 1, arbitrary: fc.constantFrom('{', '{"targets": [', '[1,2', 'null', '"x"', '', '{"a":1}{"b":2}', '\u0000', '{"credits": 1e99999}', `{"a":${'['.repeat(2000)}`).map((text) => ({ kind: 'raw' as const, text })) },
      { weight: 2, arbitrary: fc.record({ field: fc.constantFrom('file', 'file', 'upload', ''), filename: fc.oneof(fc.constant('a.wav'), junk), cut: fc.option(fc.nat({ max: 400 }), { nil: null }), noise: fc.boolean() }).map((m) => ({ kind: 'multipart' as const, ...m })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    ),
  }).map((r): FuzzRequest => {
    const [method, template] = r.route;
    const path = template.replace(/:(\w+)/g, (_, name: keyof typeof r.path) => r.path[name]) + r.query;
    const headers: Record<string, string> = {};
    if (r.key !== null) headers['x-api-key'] = r.key;
    if (r.cookie !== null) headers.cookie = r.cookie;
    if (r.csrf) headers['x-stemline-csrf'] = '1';
    if (r.range !== null) headers.range = r.range;
    let body: Buffer | string | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      if (r.body.kind === 'json') {
        const options = shapes[`${method} ${template}`] ?? [{}];
        body = JSON.stringify(mutate(options[r.body.template % options.length], r.body)) ?? 'null';
        headers['content-type'] = r.contentType ?? 'application/json';
      } else if (r.body.kind === 'raw') {
        body = r.body.text;
        if (r.contentType) headers['content-type'] = r.contentType;
      } else if (r.body.kind === 'multipart') {
        const content = r.body.noise ? Buffer.from(target.wav).map((b, i) => (i % 7 === 0 ? b ^ 0x5a : b)) : target.wav;
        body = multipart('fuzzboundary', r.body.field, r.body.filename, content, r.body.cut);
        headers['content-type'] = r.contentType === 'multipart/form-data' ? r.contentType : 'multipart/form-data; boundary=fuzzboundary';
      }
    }
    // Header values a client can send at all: printable ASCII (others never leave the client).
    for (const [name, text] of Object.entries(headers)) headers[name] = text.replace(/[^\x20-\x7e]/g, '?');
    return { method, path, headers, body };
  });
}

const codes = new Set(Object.keys(errorCatalogue));

/** The rule an answer breaks, or null. */
export function checkAnswer(status: number, text: string, method: string, secrets: string[]): string | null {
  if (status >= 500 && status !== 503) return `status ${status}`;
  for (const secret of secrets) if (text.includes(secret)) return 'a server path in the answer';
  if (/\n\s+at .+:\d+:\d+/.test(text)) return 'a stack trace in the answer';
  if (status < 400 || method === 'HEAD') return null;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    return 'an error body that is not JSON';
  }
  const keys = Object.keys(body ?? {}).sort().join(',');
  if (keys !== 'code,error,message,statusCode') return `error body keys ${keys}`;
  if (body.statusCode !== status) return `statusCode ${String(body.statusCode)} for status ${status}`;
  if (typeof body.code !== 'string' || !codes.has(body.code)) return `code ${String(body.code)} not in the catalogue`;
  if (typeof body.message !== 'string' || body.message.length === 0) return 'no message';
  return null;
}

/** Sends `count` generated requests (seeded, so a failure can be replayed), `concurrency` at a time. */
export async function fuzz(target: FuzzTarget, options: { count: number; seed: number; concurrency?: number }): Promise<FuzzReport> {
  const samples = fc.sample(requestArbitrary(target), { seed: options.seed, numRuns: options.count });
  const agent = new Agent({ connections: options.concurrency ?? 8, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const report: FuzzReport = { sent: 0, byStatus: {}, violations: [], transportErrors: 0 };
  let next = 0;
  const worker = async () => {
    while (next < samples.length) {
      const req = samples[next++];
      try {
        const response = await request(`${target.baseUrl}${req.path}`, { method: req.method as 'GET', headers: req.headers, body: req.body, dispatcher: agent });
        const text = await response.body.text();
        report.sent++;
        report.byStatus[response.statusCode] = (report.byStatus[response.statusCode] ?? 0) + 1;
        const rule = checkAnswer(response.statusCode, text, req.method, target.secrets);
        if (rule) report.violations.push({ request: { ...req, body: typeof req.body === 'string' ? req.body.slice(0, 500) : req.body ? `<${req.body.length} bytes>` : undefined }, status: response.statusCode, body: text.slice(0, 500), rule });
      } catch (error) {
        // The client refused to send it (a header undici will not write) or the server closed the connection.
        const code = (error as { code?: string }).code ?? '';
        if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN') continue;
        report.sent++;
        report.transportErrors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  await agent.close();
  return report;
}
