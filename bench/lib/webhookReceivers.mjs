// Child process of bench:webhooks: 4 keep-alive HTTP receivers on loopback that answer 204 at once and
// note, per request, the target id header and the receipt time (epoch ms with sub-ms precision).
import { createServer } from 'node:http';

const count = Number(process.argv[2] ?? 4);
let log = [];
const servers = [];
const urls = [];
for (let i = 0; i < count; i++) {
  const server = createServer((request, response) => {
    request.on('data', () => undefined);
    request.on('end', () => {
      log.push([request.headers['x-stemline-target-id'] ?? '', performance.timeOrigin + performance.now()]);
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  urls.push(`http://127.0.0.1:${server.address().port}/hook`);
}
process.send({ urls });
process.on('message', (m) => {
  if (m === 'count') process.send({ count: log.length });
  if (m === 'take') {
    process.send({ log });
    log = [];
  }
  if (m === 'stop') {
    for (const s of servers) s.closeAllConnections();
    process.exit(0);
  }
});
