import { parentPort } from 'node:worker_threads';

// Test worker for WorkerPool: echoes numbers back doubled, dies on 'exit', throws on 'throw'.
parentPort!.on('message', (message: number | 'exit' | 'throw') => {
  if (message === 'exit') process.exit(3);
  if (message === 'throw') {
    parentPort!.postMessage({ ok: false, error: { message: 'asked to fail', name: 'Error', code: 'media_unreadable' } });
    return;
  }
  parentPort!.postMessage({ ok: true, value: message * 2 });
});
