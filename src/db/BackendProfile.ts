/** What a database can do, as data: code branches on capabilities, not on dialect names. */
export interface BackendProfile {
  name: 'sqlite' | 'postgres';
  /** `FOR UPDATE SKIP LOCKED` in claim queries (PostgreSQL); SQLite's single writer needs none. */
  skipLocked: boolean;
  /** LISTEN/NOTIFY wake-ups across processes; otherwise in-process events plus polling. */
  notify: boolean;
  /** `SELECT ... FOR UPDATE` row locks; SQLite has none (and needs none: one writer at a time). */
  rowLocks: boolean;
  /** Transaction-scoped advisory locks (PostgreSQL): serialise a few short statements across processes. */
  advisoryLocks: boolean;
}

export const sqliteProfile: BackendProfile = { name: 'sqlite', skipLocked: false, notify: false, rowLocks: false, advisoryLocks: false };
export const postgresProfile: BackendProfile = { name: 'postgres', skipLocked: true, notify: true, rowLocks: true, advisoryLocks: true };
