import { AppError } from '../errors/AppError.js';

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): a `%00` in a path or query, or a "\u0000" in a
 * JSON string, would be stored on one backend and be a 500 on the other. Refused up front, the
 * same on both, naming where it was.
 */
export function rejectNulCharacters(parts: { params?: unknown; query?: unknown; body?: unknown }): void {
  for (const [part, value] of Object.entries(parts)) {
    const where = findNul(value, part === 'body' ? '' : part);
    if (where !== null) throw new AppError('invalid_request', `${where || 'body'}: text may not contain the NUL character (U+0000).`);
  }
}

function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return here;
    const found = findNul(item, here, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
