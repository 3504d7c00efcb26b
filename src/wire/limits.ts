/** Bounds on what clients send: the request schemas check them, the domain parsers share them. */

/** URLs we store and then fetch or POST to (task inputs, webhook endpoints). */
export const maxUrlLength = 2048;

/** Money (credits, deltas, balances) is finite and bounded: JSON's `1e309` parses to Infinity. */
export const maxCredits = 1e12;

/** Offsets beyond this are refused (400) rather than overflowing a database integer. */
export const maxSkip = 1_000_000_000;

/** `metadata` of a task, in characters (code points, as JSON Schema's maxLength counts them). */
export const maxMetadataCharacters = 4096;
