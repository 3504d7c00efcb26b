/** Bounds on what clients send (those on the wire are the wire's) and on stored state. */
export { maxCredits, maxMetadataCharacters, maxSkip, maxUrlLength } from '../wire/limits.js';

/** A balance never grows beyond this, however many grants add up. */
export const maxBalance = 1e15;

/** Characters as people count them: code points, not UTF-16 units (an emoji is one). */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** `available_at` of targets whose `url` input is still being downloaded: never due until then. */
export const waitingForInput = Number.MAX_SAFE_INTEGER;
