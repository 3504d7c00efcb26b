import { parentPort } from 'node:worker_threads';
import { isAppError } from '../../errors/AppError.js';
import { separateChunk, type ChunkRequest } from '../pipeline/separateChunk.js';
import { runModelSegment, type SegmentRequest } from '../models/runModelSegment.js';

// Worker-thread entry: runs the jobs WorkerPool posts and transfers the results back. Messages are
// DSP chunks (no `kind`, or kind 'chunk') or learned-model segments (kind 'segment').
parentPort!.on('message', (request: (ChunkRequest & { kind?: 'chunk' }) | SegmentRequest) => {
  const reply = (value: unknown, transfer: ArrayBuffer[]) => parentPort!.postMessage({ ok: true, value }, transfer);
  const fail = (error: unknown) => {
    const e = error as Error;
    parentPort!.postMessage({ ok: false, error: { message: e.message, name: e.name, code: isAppError(e) ? e.code : undefined } });
  };
  if (request.kind === 'segment') {
    runModelSegment(request).then((result) => reply(result, result.sources.flatMap((planes) => planes.map((p) => p.buffer as ArrayBuffer))), fail);
    return;
  }
  try {
    const result = separateChunk(request);
    reply(result, Object.values(result.outputs).flatMap((planes) => planes.map((p) => p.buffer as ArrayBuffer)));
  } catch (error) {
    fail(error);
  }
});
