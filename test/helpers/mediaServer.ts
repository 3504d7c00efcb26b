import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on loopback serving inputs for `url` tasks, with failure modes on purpose. */
export async function startMediaServer(files: Record<string, Uint8Array>): Promise<{ url: string; hits: Map<string, number>; close: () => Promise<void> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    if (path === '/flaky.wav' && count === 1) {
      response.writeHead(503).end('try later');
      return;
    }
    if (path === '/loop') {
      response.writeHead(302, { location: '/loop' }).end();
      return;
    }
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop) {
      response.writeHead(302, { location: `/hop/${Number(hop[1]) + 1}` }).end();
      return;
    }
    if (path === '/redirect.wav') {
      response.writeHead(301, { location: '/clip.wav' }).end();
      return;
    }
    const name = path === '/flaky.wav' ? '/clip.wav' : path;
    const body = files[name];
    if (!body) {
      response.writeHead(404).end('not here');
      return;
    }
    response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': body.length }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
