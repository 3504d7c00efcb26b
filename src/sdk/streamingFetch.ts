import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * fetch for a request whose body is a stream, on node:http: Node 20's fetch keeps every chunk of a
 * streamed body reachable until the request ends (a 50 MB upload held 50 MB), while node:http sends
 * with backpressure and holds a chunk or two. The answer is a standard Response.
 */
export function streamingFetch(url: string, init: { method: string; headers: Record<string, string>; body: AsyncIterable<Uint8Array>; signal?: AbortSignal }): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, { method: init.method, headers: init.headers, signal: init.signal });
    request.once('error', reject);
    request.once('response', (answer: IncomingMessage) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const body = answer.statusCode === 204 || answer.statusCode === 304 ? null : (Readable.toWeb(answer) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status: answer.statusCode ?? 500, statusText: answer.statusMessage ?? '', headers }));
    });
    // A server may answer (413, 401) before reading the whole body: that answer still counts.
    pipeline(Readable.from(init.body, { objectMode: false }), request).catch((error: unknown) => {
      if (!request.destroyed) request.destroy(error as Error);
    });
  });
}
