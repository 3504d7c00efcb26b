import type { Readable } from 'node:stream';
import { newId } from '../domain/newId.js';
import { AppError } from '../errors/AppError.js';
import type { ObjectStore } from '../storage/ObjectStore.js';
import type { Repositories } from './ports.js';
import type { Asset } from '../domain/records.js';

export interface UploadDeps {
  repos: Repositories;
  store: ObjectStore;
  /** The accepted input format of a local file by its content (and its duration when known), or null. */
  identify: (path: string) => Promise<{ format: string; durationSeconds: number | null } | null>;
  maxBytes: number;
  assetTtlSeconds: number;
}

/**
 * POST /assets: streams the file into storage (never whole in memory), then identifies it by
 * content. Too large (413) or not media we take (415): nothing is kept.
 */
export async function uploadAsset(deps: UploadDeps, clientId: string, file: Readable, filename: string, now: number): Promise<Asset> {
  const id = newId();
  const name = safeName(filename);
  const storageKey = `assets/${id}/${name}`;
  const { size } = await deps.store.put(storageKey, file, { maxBytes: deps.maxBytes });
  try {
    const local = await deps.store.localPath(storageKey);
    let media: { format: string; durationSeconds: number | null } | null;
    try {
      media = size === 0 ? null : await deps.identify(local.path);
    } finally {
      await local.release();
    }
    if (!media) {
      throw new AppError('unsupported_media_type', `'${name}' is not audio or video this service accepts (by its content): wav, aiff, flac, mp3, aac/m4a, ogg, opus, mp4 or mov with an audio track.`);
    }
    const asset: Asset = {
      id, clientId, name, format: media.format, storageKey, sizeBytes: size, durationSeconds: media.durationSeconds, createdAt: now, expiresAt: now + deps.assetTtlSeconds * 1000,
    };
    await deps.repos.assets.insert(asset);
    return asset;
  } catch (error) {
    await deps.store.deletePrefix(`assets/${id}`);
    throw error;
  }
}

/** The client's file name, reduced to characters safe in paths and headers. */
export function safeName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const cleaned = base.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/^[._ ]+/, '').slice(0, 120).trim();
  return cleaned || 'upload';
}
