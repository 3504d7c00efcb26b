import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** Raw body exactly as sent (signatures are checked on it). */
  body: string;
  headers: Record<string, string>;
  at: number;
  path: string;
}

/** What the receiver does with its n-th request (1-based): answer, reset the connection, or never answer. */
export type Behaviour = (n: number, request: IncomingMessage) =>
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | 'reset'
  | 'hang';

/**
 * A real HTTP receiver on loopback that records every request it gets (including those it then
 * fails on purpose), for webhook fault tests.
 */
export async function startReceiver(behaviour: Behaviour = () => ({ status: 200 })): Promise<{
  url: string;
  received: Received[];
  /** Resolves once `count` requests have arrived (of those matching `filter`). */
  waitFor(count: number, timeoutMs?: number, filter?: (r: Received) => boolean): Promise<Received[]>;
  setBehaviour(next: Behaviour): void;
  close(): Promise<void>;
}> {
  let current = behaviour;
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers, at: Date.now(), path: request.url ?? '/' });
      for (const wake of [...waiters]) wake();
      const action = current(received.length, request);
      if (action === 'hang') {
        hanging.add(response);
        return;
      }
      if (action === 'reset') {
        // Headers promised, then the connection dies mid-response.
        response.writeHead(200, { 'content-length': '100' });
        response.write('partial');
        setTimeout(() => request.socket.destroy(), 10);
        return;
      }
      const answer = () => response.writeHead(action.status, action.headers ?? {}).end(action.body ?? 'ok');
      if (action.delayMs) setTimeout(answer, action.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setBehaviour(next) {
      current = next;
    },
    waitFor(count, timeoutMs = 15_000, filter = () => true) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = received.filter(filter);
          if (matching.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(matching);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} webhook requests within ${timeoutMs} ms, got ${received.filter(filter).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const r of hanging) r.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
