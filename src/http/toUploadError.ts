import { AppError, isAppError } from '../errors/AppError.js';

/**
 * What went wrong with a multipart upload, as an AppError: the multipart parser reports a
 * malformed or cut-off body with plain errors, and a client that hangs up mid-upload makes the
 * stream fail. Both are the client's doing (400), not the server's (500, logged as an error).
 */
export function toUploadError(error: unknown, aborted: boolean): unknown {
  if (isAppError(error)) return error;
  const e = error as NodeJS.ErrnoException | undefined;
  if (/multipart|boundary|unexpected end|malformed|part terminated/i.test(e?.message ?? '')) {
    return new AppError('invalid_request', `The multipart body is malformed or cut off (${e!.message}); send one field \`file\` with the whole file.`, { cause: error });
  }
  if (aborted || e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.message === 'aborted') {
    return new AppError('invalid_request', 'The upload was interrupted before the end of the body; nothing was kept.', { cause: error });
  }
  return error;
}
