import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Task } from '../wire/Task.js';
import type { CallOptions } from './HttpTransport.js';
import { ConnectionError, StemlineError } from './StemlineError.js';

export interface DownloadedFile {
  targetId: string;
  model: string;
  name: string;
  format: string;
  path: string;
  bytes: number;
}

/**
 * Downloads every output of the task's completed targets into `dir` as `<name>.<format>` (with the
 * model prepended when two targets make the same name). Links are presigned: no API key is sent,
 * so a link to object storage never sees it. Each file is written to a temporary name and renamed
 * when whole, so a folder never holds a truncated stem under its real name.
 */
export async function downloadTask(task: Task, dir: string, fetchImpl: typeof fetch, call: CallOptions & { onFile?: (file: DownloadedFile) => void } = {}): Promise<DownloadedFile[]> {
  await mkdir(dir, { recursive: true });
  const outputs = task.targets.filter((t) => t.status === 'completed').flatMap((t) => t.output.map((o) => ({ target: t, output: o })));
  const counts = new Map<string, number>();
  for (const { output } of outputs) counts.set(`${output.name}.${output.format}`, (counts.get(`${output.name}.${output.format}`) ?? 0) + 1);
  const files: DownloadedFile[] = [];
  for (const { target, output } of outputs) {
    const plain = `${output.name}.${output.format}`;
    const filename = safeName(counts.get(plain)! > 1 ? `${target.model}-${plain}` : plain);
    const path = join(dir, filename);
    const partial = `${path}.part`;
    const signal = call.timeoutMs === undefined ? call.signal : AbortSignal.any([...(call.signal ? [call.signal] : []), AbortSignal.timeout(call.timeoutMs)]);
    let response: Response;
    try {
      response = await fetchImpl(output.link, { signal });
    } catch (error) {
      throw new ConnectionError(0, signal?.aborted ? (call.signal?.aborted ? 'aborted' : 'timeout') : 'unreachable', `Downloading ${filename} failed: ${(error as Error).message}`, null, { cause: error });
    }
    if (!response.ok || !response.body) {
      // The link's own answer (storage, a proxy), not the API's: never read as "not signed in".
      throw new StemlineError(response.status, 'download_failed', `Downloading ${filename} failed: the link answered ${response.status} (links expire after an hour; read the task again for fresh ones).`);
    }
    let bytes = 0;
    try {
      const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      await pipeline(body, createWriteStream(partial), { signal });
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw new ConnectionError(0, call.signal?.aborted ? 'aborted' : signal?.aborted ? 'timeout' : 'unreachable', `Downloading ${filename} was cut off: ${(error as Error).message}`, null, { cause: error });
    }
    const file = { targetId: target.id, model: target.model, name: output.name, format: output.format, path, bytes };
    files.push(file);
    call.onFile?.(file);
  }
  return files;
}

/** Output names come from the server: never let one climb out of the folder. */
function safeName(name: string): string {
  return name.replace(/[/\\\0]/g, '_').replace(/^\.+/, '_');
}
