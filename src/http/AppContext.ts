import type { Catalogue } from '../domain/buildCatalogue.js';
import type { Config } from '../config/Config.js';
import type { Metrics } from '../metrics/createMetrics.js';
import type { Authenticator } from '../services/apiKeys.js';
import type { Repositories } from '../services/ports.js';
import type { Sessions } from '../services/sessions.js';
import type { Links } from '../storage/Links.js';
import type { ObjectStore, RandomAccessFile } from '../storage/ObjectStore.js';
import type { ProxyLinks } from '../storage/ProxyLinks.js';

/** Everything the HTTP layer needs, built by main.ts. */
export interface AppContext {
  config: Readonly<Config>;
  repos: Repositories;
  store: ObjectStore;
  /** Signs the links responses carry (presigned S3 or proxy links, STEMLINE_LINKS). */
  links: Links;
  /** Verifies /files links (always served, whatever STEMLINE_LINKS says, so old links keep working). */
  proxyLinks: ProxyLinks;
  /** The models and variants this installation runs (the DSP engine's and the installed models'). */
  catalogue: Catalogue;
  auth: Authenticator;
  sessions: Sessions;
  /** Folder of the built dashboard (index.html, app.js, app.css). */
  dashboardDir: string;
  metrics: Metrics;
  /** Accepted input format of a stored file by content (and its duration when known), or null. */
  identify: (file: RandomAccessFile) => Promise<{ format: string; durationSeconds: number | null } | null>;
  checkUrl: (url: string) => Promise<void>;
  notify: () => Promise<void>;
  /** Wakes webhook dispatchers (a message was made due by retry, recover or re-enabling). */
  notifyWebhooks: () => Promise<void>;
  /** Throws when the database or storage cannot be reached. */
  ready: () => Promise<void>;
  version: string;
}
