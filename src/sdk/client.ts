/** `stemline/client`: the typed SDK. */
export { Stemline, audioShakeBaseUrl, type RunOptions, type RunResult, type StemlineOptions, type WaitOptions } from './Stemline.js';
export { AuthenticationError, ConflictError, ConnectionError, InvalidRequestError, NotFoundError, PermissionError, RateLimitError, ServerError, StemlineError } from './StemlineError.js';
export type { CallOptions } from './HttpTransport.js';
export type { UploadProgress, UploadSource } from './uploadBody.js';
export type { DownloadedFile } from './downloadTask.js';
export type * from '../wire/index.js';
