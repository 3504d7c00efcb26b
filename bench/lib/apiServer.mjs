// Child process of bench:api: the real service (compiled build, api role only) on one port and, in the
// same process, a bare Fastify route answering a static JSON body of the same size on another: the floor.
import Fastify from 'fastify';
import { loadConfig } from '../../dist/config/loadConfig.js';
import { startService } from '../../dist/startService.js';
import { createRepositories } from '../../dist/db/createRepositories.js';

const [dataDir, databaseUrl] = process.argv.slice(2);
const env = { STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_ROLES: 'api', STEMLINE_RATE_LIMIT: '100000000', STEMLINE_LOG_LEVEL: 'warn', STEMLINE_ADMIN_KEY: 'sl_bench_admin_key_0123456789abcdefghijklmno' };
if (databaseUrl) env.STEMLINE_DATABASE_URL = databaseUrl;
const service = await startService(loadConfig({ env }));
const repos = createRepositories(service.database.db);
const clientId = (await repos.clients.list())[0].id;
const now = Date.now();
const assetId = 'cbenchasset00000000000000';
await repos.assets.insert({ id: assetId, clientId, name: 'a.wav', format: 'wav', storageKey: 'assets/bench/a.wav', sizeBytes: 1, createdAt: now, expiresAt: now + 864e5 });
const taskId = 'cbenchtask000000000000000';
const models = ['vocals', 'drums', 'bass', 'other'];
await repos.tasks.create({ id: taskId, clientId, createdAt: now, assetId, url: null, metadata: null, inputKey: 'assets/bench/a.wav',
  targets: models.map((model, position) => ({ id: `cbenchtarget${position}000000000000`, position, model, formats: ['wav', 'mp3'], residual: null, variant: null, language: null })) });
for (const [position, model] of models.entries()) {
  await service.database.db.updateTable('targets').set({
    status: 'completed', cost: 4, duration: 200.53, ended_at: now,
    outputs: JSON.stringify(['wav', 'mp3'].map((format) => ({ name: model, format, key: `outputs/${taskId}/t${position}/${model}.${format}` }))),
  }).where('id', '=', `cbenchtarget${position}000000000000`).execute();
}
await service.database.db.updateTable('tasks').set({ completed_at: now }).where('id', '=', taskId).execute();
// A task still processing: never cached, read from the database on every request.
const processingId = 'cbenchprocessing000000000';
await repos.tasks.create({ id: processingId, clientId, createdAt: now, assetId, url: null, metadata: null, inputKey: 'assets/bench/a.wav',
  targets: models.map((model, position) => ({ id: `cbenchwaiting${position}00000000000`, position, model, formats: ['wav', 'mp3'], residual: null, variant: null, language: null })) });
const sample = await (await fetch(`${service.url}/tasks/${taskId}`, { headers: { 'x-api-key': env.STEMLINE_ADMIN_KEY } })).text();
const floor = Fastify();
floor.get('/static', async (_request, reply) => reply.type('application/json; charset=utf-8').send(sample));
const floorUrl = await floor.listen({ host: '127.0.0.1', port: 0 });
process.send({ url: service.url, floorUrl, key: env.STEMLINE_ADMIN_KEY, taskId, processingId, assetId, bytes: Buffer.byteLength(sample) });
process.on('message', async (m) => {
  if (m === 'stop') {
    await floor.close();
    await service.stop(1000);
    process.exit(0);
  }
});
