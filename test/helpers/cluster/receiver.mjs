// A webhook receiver run inside a host's namespace: prints each request as one JSON line on stdout.
import { createServer } from 'node:http';

const [host, port] = process.argv.slice(2);
createServer((request, response) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', () => {
    process.stdout.write(`${JSON.stringify({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() })}\n`);
    response.writeHead(200).end('ok');
  });
}).listen(Number(port), host, () => process.stdout.write(`receiver listening on ${host}:${port}\n`));
