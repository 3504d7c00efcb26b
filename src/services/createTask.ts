import { builtInModels } from '../domain/modelCatalogue.js';
import { newId } from '../domain/newId.js';
import { parseCreateTask } from '../domain/parseCreateTask.js';
import type { TaskRecord } from '../domain/renderTask.js';
import { AppError } from '../errors/AppError.js';
import type { Repositories } from './ports.js';

export interface CreateTaskDeps {
  repos: Repositories;
  maxTargets: number;
  /** Throws `url_not_allowed` for URLs whose host is not public (unless allowed). */
  checkUrl: (url: string) => Promise<void>;
  /** Wakes workers once the task is stored. */
  notify: () => Promise<void>;
}

/** POST /tasks: validate, check the asset and credits, store the task and its targets atomically. */
export async function createTask(deps: CreateTaskDeps, clientId: string, body: unknown, now: number): Promise<TaskRecord> {
  const input = parseCreateTask(body, builtInModels, deps.maxTargets);
  const client = await deps.repos.clients.get(clientId);
  if (!client) throw new AppError('unauthorized', 'The client of this key no longer exists.');
  if (client.credits !== null && client.credits <= 0) {
    throw new AppError('insufficient_credits', `The credit balance is ${client.credits}; ask an administrator for credits (POST /admin/clients/{id}/credits).`);
  }
  let inputKey: string | null = null;
  if (input.assetId !== null) {
    const asset = await deps.repos.assets.get(clientId, input.assetId, now);
    if (!asset) throw new AppError('asset_not_found', `assetId: no asset '${input.assetId}' (it never existed, expired or was deleted).`);
    inputKey = asset.storageKey;
  }
  if (input.url !== null) await deps.checkUrl(input.url);
  const id = newId();
  const targets = input.targets.map((t, position) => ({ id: newId(), position, ...t }));
  await deps.repos.tasks.create({ id, clientId, createdAt: now, assetId: input.assetId, url: input.url, metadata: input.metadata, inputKey, targets });
  await deps.notify();
  return {
    id, clientId, createdAt: now, completedAt: null, assetId: input.assetId, url: input.url, metadata: input.metadata,
    targets: targets.map((t) => ({ ...t, status: 'processing', cost: null, duration: null, error: null, outputs: [] })),
  };
}
