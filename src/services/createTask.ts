import type { Catalogue } from '../domain/buildCatalogue.js';
import { findModel } from '../domain/modelCatalogue.js';
import { newId } from '../domain/newId.js';
import { parseCreateTask } from '../domain/parseCreateTask.js';
import type { TaskRecord } from '../domain/records.js';
import { targetCost } from '../domain/targetCost.js';
import { AppError } from '../errors/AppError.js';
import type { Repositories } from './ports.js';

export interface CreateTaskDeps {
  repos: Repositories;
  /** The models and variants this installation runs. */
  catalogue: Catalogue;
  maxTargets: number;
  /** Throws `url_not_allowed` for URLs whose host is not public (unless allowed). */
  checkUrl: (url: string) => Promise<void>;
  /** Wakes workers once the task is stored. */
  notify: () => Promise<void>;
}

/** POST /tasks: validate, check the asset and credits, store the task and its targets atomically. */
export async function createTask(deps: CreateTaskDeps, clientId: string, body: unknown, now: number): Promise<TaskRecord> {
  const input = parseCreateTask(body, deps.catalogue.models, deps.maxTargets);
  const client = await deps.repos.clients.get(clientId);
  if (!client) throw new AppError('unauthorized', 'The client of this key no longer exists.');
  let inputKey: string | null = null;
  let durationSeconds: number | null = null;
  if (input.assetId !== null) {
    const asset = await deps.repos.assets.get(clientId, input.assetId, now);
    if (!asset) throw new AppError('asset_not_found', `assetId: no asset '${input.assetId}' (it never existed, expired or was deleted).`);
    inputKey = asset.storageKey;
    durationSeconds = asset.durationSeconds;
  }
  if (input.url !== null) await deps.checkUrl(input.url);
  const id = newId();
  const checkCredits = client.credits !== null;
  const targets = input.targets.map((t, position) => ({ id: newId(), position, ...t, reserved: checkCredits ? reservation(t.model, durationSeconds) : 0 }));
  const created = await deps.repos.tasks.create({ id, clientId, createdAt: now, assetId: input.assetId, url: input.url, metadata: input.metadata, inputKey, checkCredits, targets });
  if (!created) {
    const after = await deps.repos.clients.get(clientId);
    const balance = after?.credits ?? 0;
    const held = after?.reserved ?? 0;
    throw new AppError('insufficient_credits', `The available credit balance is ${balance - held} (balance ${balance}, ${held} held by targets still processing); ask an administrator for credits (POST /admin/clients/{id}/credits).`);
  }
  await deps.notify();
  return {
    id, clientId, createdAt: now, completedAt: null, assetId: input.assetId, url: input.url, metadata: input.metadata,
    targets: targets.map((t) => ({ ...t, status: 'processing', cost: null, duration: null, error: null, outputs: [] })),
  };
}

/**
 * What a target holds until it ends: its cost for the asset's duration, or for one minute when
 * the duration is not known yet (`url` inputs, containers that do not say). See docs/api.md.
 */
function reservation(model: string, durationSeconds: number | null): number {
  const definition = findModel(model)!;
  return targetCost(durationSeconds ?? 60, definition.creditsPerMinute);
}
