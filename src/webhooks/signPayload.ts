import { createHmac } from 'node:crypto';

// Decoded keys by secret: decoding base64 on every delivery is measurable at thousands per second.
const keys = new Map<string, Buffer>();

/**
 * The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` for each
 * secret (the current one first, the previous one during a rotation), space-separated. The key is
 * the base64-decoded part of the secret after `whsec_`.
 */
export function signPayload(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => {
    let key = keys.get(secret);
    if (!key) {
      key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
      if (keys.size >= 1000) keys.clear();
      keys.set(secret, key);
    }
    return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
  }).join(' ');
}
