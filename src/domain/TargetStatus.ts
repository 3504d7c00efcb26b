/** A target moves processing -> completed or processing -> error, once (the union is the wire's). */
export type { TargetStatus } from '../wire/Task.js';
