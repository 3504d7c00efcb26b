import type { Readable } from 'node:stream';
import { newId } from '../domain/newId.js';
import { AppError } from '../errors/AppError.js';
import type { ObjectStore, RandomAccessFile } from '../storage/ObjectStore.js';
import type { Repositories } from './ports.js';
import type { Asset } from '../domain/records.js';

export interface UploadDeps {
  repos: Repositories;
  store: ObjectStore;
  /** The accepted input format of a stored file by its content (and its duration when known), or null. */
  identify: (file: RandomAccessFile) => Promise<{ format: string; durationSeconds: number | null } | null>;
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
    let media: { format: string; durationSeconds: number | null } | null = null;
    if (size > 0) {
      // Probed where it lies: on S3, ranged reads, never a copy of the whole upload on this host.
      const file = await deps.store.openRandomAccess(storageKey);
      try {
        media = await deps.identify(file);
      } finally {
        await file.release();
      }
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
