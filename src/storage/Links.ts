import type { LinkSigner } from '../domain/renderTask.js';

/** One file a link is wanted for: its storage key and the name it downloads as. */
export interface LinkFile {
  key: string;
  filename: string;
}

/**
 * Signs download links. Presigning S3 is asynchronous, rendering is not: callers prepare the files
 * a response names, then render with the returned synchronous signer.
 */
export interface Links {
  prepare(files: readonly LinkFile[]): Promise<LinkSigner>;
}
