/** The dashboard's calls to the Stemline API, authenticated by the session cookie. */

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
  }
}

/** JSON request; changes carry the CSRF header the server requires of cookie sessions. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'x-stemline-csrf': '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'The service could not be reached. Check that it is running, then try again.');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = parsed as { message?: string; code?: string } | undefined;
    if (response.status === 401) window.dispatchEvent(new CustomEvent('stemline:signed-out'));
    throw new ApiError(response.status, error?.message ?? `The service answered ${response.status}.`, error?.code);
  }
  return parsed as T;
}

/** Multipart upload of one file with progress (fetch has no upload progress; XMLHttpRequest does). */
export function upload<T>(path: string, file: File, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('x-stemline-csrf', '1');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: { message?: string } | undefined;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status >= 200 && request.status < 300) resolve(body as T);
      else reject(new ApiError(request.status, body?.message ?? `Upload failed with ${request.status}.`));
    };
    request.onerror = () => reject(new ApiError(0, 'The upload was interrupted; check the connection and try again.'));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}

// The shapes are the wire contract's (src/wire), imported as types only: nothing of TypeBox is bundled.
export type { Account, ApiKey, Attempt, Client, Endpoint, IssuedApiKey, Message, Model, ModelDistribution, Output, Target, Task, UsageMonth } from '../wire/index.js';
