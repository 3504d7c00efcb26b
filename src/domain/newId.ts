import { init } from '@paralleldrive/cuid2';

const cuid = init({ length: 24 });

/** An id in the spec's shape: 25 lowercase characters starting with `c` (cuid2). */
export function newId(): string {
  return `c${cuid()}`;
}
