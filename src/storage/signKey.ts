import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 over the storage key and expiry (Unix seconds), hex. */
export function signKey(secret: string, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');
}

/** True when the signature matches and the link has not expired; constant time in the signature. */
export function verifyKey(secret: string, key: string, expires: string, signature: string, nowSeconds: number): boolean {
  if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signKey(secret, key, Number(expires)), 'hex');
  const given = Buffer.from(signature, 'hex');
  return timingSafeEqual(expected, given) && Number(expires) >= nowSeconds;
}

/** `a/b c/d.wav` -> `a/b%20c/d.wav`: each path segment encoded, slashes kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
