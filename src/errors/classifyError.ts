import { AppError, isAppError } from './AppError.js';
import { redactPaths } from './redactPaths.js';

const fullCodes = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'EFBIG']);
// PostgreSQL: connection exceptions (class 08), shutdown (57P01-03), serialization and deadlock.
const pgTransient = /^(08|57P0[123]|40001|40P01|53300)/;
const netCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}

/** The disk (or the database's disk) is full: retry once space is freed, never the client's fault. */
export function isStorageFull(error: unknown): boolean {
  return fullCodes.has(codeOf(error)) || /no space left on device|disk quota exceeded|database or disk is full/i.test((error as Error)?.message ?? '');
}

/** The database went away for a moment (a dropped connection, a restart, a busy lock): retrying may work. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = codeOf(error);
  if (pgTransient.test(code) || netCodes.has(code) || code.startsWith('SQLITE_IOERR')) return true;
  return /connection terminated|connection error|terminating connection|server closed the connection|timeout exceeded when trying to connect/i.test((error as Error)?.message ?? '');
}

/**
 * Any failure as an AppError a client may read: the AppError itself, `storage_full` or
 * `unavailable` for the environment (retryable; the work waits for the operator), else
 * `internal` — always with server paths redacted.
 */
export function classifyError(error: unknown): AppError {
  if (isAppError(error)) {
    if (error.code !== 'storage_full' && isStorageFull(error)) return new AppError('storage_full', storageFullMessage, { cause: error });
    const message = redactPaths(error.message);
    return message === error.message ? error : new AppError(error.code, message, { cause: error });
  }
  if (isStorageFull(error)) return new AppError('storage_full', storageFullMessage, { cause: error });
  if (isTransientDatabaseError(error)) return new AppError('unavailable', 'The database was unavailable for a moment.', { cause: error });
  return new AppError('internal', redactPaths(`Internal error: ${(error as Error)?.message ?? String(error)}`), { cause: error });
}

const storageFullMessage = 'The server\'s storage is full; the work is retried once space is freed.';
