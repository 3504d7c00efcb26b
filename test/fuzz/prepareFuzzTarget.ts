import { readFileSync } from 'node:fs';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, fileForm, type TestService } from '../helpers/testService.js';
import type { FuzzTarget } from './requestFuzzer.js';

/** Makes the objects the fuzzer aims at (a client, its key, an asset, a task, an endpoint, a message). */
export async function prepareFuzzTarget(svc: TestService): Promise<FuzzTarget> {
  const media = tempDir();
  const wav = new Uint8Array(readFileSync(makeMedia(media.dir, 'fuzz.wav', ['-f', 'lavfi', '-i', 'sine=d=0.2', '-ar', '8000'])));
  media.cleanup();
  const client = await svc.call('POST', '/admin/clients', { json: { name: 'fuzzed', credits: 1000 } });
  const clientKey = (await svc.call('POST', `/admin/clients/${client.body.id}/keys`)).body.key as string;
  const asset = await svc.call('POST', '/assets', { key: clientKey, body: fileForm(wav, 'fuzz.wav') });
  const task = await svc.call('POST', '/tasks', { key: clientKey, json: { assetId: asset.body.id, targets: [{ model: 'vocals', formats: ['wav'] }] } });
  const endpoint = await svc.call('POST', '/webhooks', { key: clientKey, json: { url: 'http://127.0.0.1:9/hook' } });
  const message = await svc.call('POST', `/webhooks/${endpoint.body.id}/test`, { key: clientKey });
  for (const answer of [client, asset, task, endpoint, message]) if (answer.status !== 200) throw new Error(`fuzz set-up failed: ${answer.text}`);
  return {
    baseUrl: svc.url, adminKey, clientKey, wav,
    ids: { asset: asset.body.id, task: task.body.id, client: client.body.id, endpoint: endpoint.body.id, message: message.body.id ?? message.body.messageId ?? 'msg_x' },
    secrets: [svc.dataDir, ...(svc.env.STEMLINE_DATA_DIR ? [svc.env.STEMLINE_DATA_DIR] : [])],
  };
}
