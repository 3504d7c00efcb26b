import type { FastifyInstance } from 'fastify';
import { iso } from '../../domain/renderTask.js';
import { AppError } from '../../errors/AppError.js';
import type { Asset } from '../../domain/records.js';
import { uploadAsset } from '../../services/uploadAsset.js';
import type { AppContext } from '../AppContext.js';
import { Type } from '@sinclair/typebox';
import { Asset as AssetBody } from '../../wire/Asset.js';
import { Deleted } from '../../wire/Deleted.js';
import { Paging } from '../../wire/requests.js';
import { answers, IdParams } from '../schemas.js';
import { toUploadError } from '../toUploadError.js';

export function assetRoutes(app: FastifyInstance, ctx: AppContext): void {
  const renderAll = async (assets: Asset[]): Promise<AssetBody[]> => {
    const sign = await ctx.links.prepare(assets.map((a) => ({ key: a.storageKey, filename: a.name })));
    return assets.map((asset) => ({
      id: asset.id, name: asset.name, format: asset.format, link: sign(asset.storageKey, asset.name),
      createdAt: iso(asset.createdAt), expiresAt: iso(asset.expiresAt),
    }));
  };
  const render = async (asset: Asset) => (await renderAll([asset]))[0];

  app.post('/assets', { schema: { summary: 'Upload audio or video (multipart/form-data, field `file`)', tags: ['assets'], consumes: ['multipart/form-data'], response: answers(AssetBody) } }, async (request) => {
    if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'POST /assets takes multipart/form-data with one field `file`.');
    try {
      const part = await request.file();
      if (!part) throw new AppError('invalid_request', 'No file: send the audio or video in the multipart field `file`.');
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new AppError('invalid_request', `The multipart field must be named \`file\`, got \`${part.fieldname}\`.`);
      }
      const asset = await uploadAsset({
        repos: ctx.repos, store: ctx.store, identify: ctx.identify, maxBytes: ctx.config.maxUploadBytes, assetTtlSeconds: ctx.config.assetTtlSeconds,
      }, request.principal!.clientId, part.file, part.filename ?? 'upload', Date.now());
      return await render(asset);
    } catch (error) {
      throw toUploadError(error, request.raw.destroyed || request.raw.readableAborted);
    }
  });

  app.get<{ Querystring: { skip: number; take: number } }>('/assets', { schema: { summary: 'List live assets, newest first', tags: ['assets'], querystring: Paging, response: answers(Type.Array(AssetBody)) } }, async (request) => {
    const { skip = 0, take = 10 } = request.query;
    return renderAll(await ctx.repos.assets.list(request.principal!.clientId, skip, take, Date.now()));
  });

  app.get<{ Params: { id: string } }>('/assets/:id', { schema: { summary: 'One asset (extension)', tags: ['assets'], params: IdParams, response: answers(AssetBody) } }, async (request) => {
    const asset = await ctx.repos.assets.get(request.principal!.clientId, request.params.id, Date.now());
    if (!asset) throw new AppError('not_found', `No asset '${request.params.id}'.`);
    return render(asset);
  });

  app.delete<{ Params: { id: string } }>('/assets/:id', { schema: { summary: 'Delete an asset and its file (extension)', tags: ['assets'], params: IdParams, response: answers(Deleted) } }, async (request) => {
    const asset = await ctx.repos.assets.delete(request.principal!.clientId, request.params.id);
    if (!asset) throw new AppError('not_found', `No asset '${request.params.id}'.`);
    await ctx.store.deletePrefix(`assets/${asset.id}`);
    return { id: asset.id, deleted: true };
  });
}
