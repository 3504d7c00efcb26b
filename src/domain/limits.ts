/** Bounds on what clients send, shared by the request schemas and the domain parsers. */

/** URLs we store and then fetch or POST to (task inputs, webhook endpoints). */
export const maxUrlLength = 2048;

/** Money (credits, deltas, balances) is finite and bounded: JSON's `1e309` parses to Infinity. */
export const maxCredits = 1e12;

/** A balance never grows beyond this, however many grants add up. */
export const maxBalance = 1e15;

/** Offsets beyond this are refused (400) rather than overflowing a database integer. */
export const maxSkip = 1_000_000_000;

/** `metadata` of a task, in characters (code points, as JSON Schema's maxLength counts them). */
export const maxMetadataCharacters = 4096;

/** Characters as people count them: code points, not UTF-16 units (an emoji is one). */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** `available_at` of targets whose `url` input is still being downloaded: never due until then. */
export const waitingForInput = Number.MAX_SAFE_INTEGER;
