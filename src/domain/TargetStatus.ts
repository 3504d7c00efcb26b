/** A target moves processing -> completed or processing -> error, once. */
export type TargetStatus = 'processing' | 'completed' | 'error';
