import type { Catalogue } from '../domain/buildCatalogue.js';
import type { Config } from '../config/Config.js';
import type { Metrics } from '../metrics/createMetrics.js';
import type { Authenticator } from '../services/apiKeys.js';
import type { Repositories } from '../services/ports.js';
import type { Sessions } from '../services/sessions.js';
import type { ObjectStore } from '../storage/ObjectStore.js';

/** Everything the HTTP layer needs, built by main.ts. */
export interface AppContext {
  config: Readonly<Config>;
  repos: Repositories;
  store: ObjectStore;
  /** The models and variants this installation runs (the DSP engine's and the installed models'). */
  catalogue: Catalogue;
  auth: Authenticator;
  sessions: Sessions;
  /** Folder of the built dashboard (index.html, app.js, app.css). */
  dashboardDir: string;
  metrics: Metrics;
  /** Accepted input format of a local file by content (and its duration when known), or null. */
  identify: (path: string) => Promise<{ format: string; durationSeconds: number | null } | null>;
  checkUrl: (url: string) => Promise<void>;
  notify: () => Promise<void>;
  /** Wakes webhook dispatchers (a message was made due by retry, recover or re-enabling). */
  notifyWebhooks: () => Promise<void>;
  /** Throws when the database or storage cannot be reached. */
  ready: () => Promise<void>;
  version: string;
}
