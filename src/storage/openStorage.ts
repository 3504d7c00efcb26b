import { join } from 'node:path';
import type { Config } from '../config/Config.js';
import { LocalDiskStore } from './LocalDiskStore.js';
import type { Links } from './Links.js';
import type { ObjectStore } from './ObjectStore.js';
import { PresignedLinks } from './PresignedLinks.js';
import { ProxyLinks } from './ProxyLinks.js';
import { S3Store } from './S3Store.js';

export interface Storage {
  store: ObjectStore;
  /** The links responses carry: presigned S3 URLs, or proxy links (STEMLINE_LINKS). */
  links: Links;
  /** /files links: verified always, so links handed out before a switch of STEMLINE_LINKS still work. */
  proxyLinks: ProxyLinks;
  close(): void;
}

/** The configured store (checked: a bucket that cannot be reached fails the start, naming why) and its links. */
export async function openStorage(config: Readonly<Config>, options: { publicUrl: () => string; linkSecret: string }): Promise<Storage> {
  const proxyLinks = new ProxyLinks(options.publicUrl, options.linkSecret, config.linkTtlSeconds);
  if (config.storage.kind === 'file') {
    return { store: await new LocalDiskStore(config.storage.root).init(), links: proxyLinks, proxyLinks, close: () => undefined };
  }
  const store = await new S3Store(config.storage, join(config.dataDir, 'scratch')).init();
  return {
    store, proxyLinks,
    links: config.links === 'presigned' ? new PresignedLinks(store, config.linkTtlSeconds) : proxyLinks,
    close: () => store.close(),
  };
}
