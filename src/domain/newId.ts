import { randomFillSync } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuv';
const pool = new Uint8Array(4096);
let offset = pool.length;

/**
 * An id in the spec's shape: `c` + 24 lowercase characters (cuid2-like), 120 random bits from the
 * system CSPRNG. Random bytes are drawn in 4 KiB batches: cuid2 itself spent most of a task
 * creation's CPU time hashing.
 */
export function newId(): string {
  if (offset + 24 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let id = 'c';
  for (let i = 0; i < 24; i++) id += alphabet[pool[offset++] & 31];
  return id;
}

/**
 * Same shape as newId, but the first 9 characters are the creation time in milliseconds (base32,
 * so ids sort by time) and 75 bits are random. For rows written at high rates (webhook events and
 * messages): new keys land at the end of their index instead of on a random page.
 */
export function newSortableId(now = Date.now()): string {
  let time = '';
  for (let t = Math.floor(now), i = 0; i < 9; i++, t = Math.floor(t / 32)) time = alphabet[t % 32] + time;
  return `c${time}${newId().slice(10)}`;
}
