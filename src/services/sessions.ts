import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Authenticator, Principal } from './apiKeys.js';

export const sessionCookie = 'stemline_session';
export const sessionTtlMs = 12 * 3_600_000;

/**
 * Dashboard sessions: an API key is exchanged once for a signed, expiring token in an HttpOnly
 * cookie. The token names the key, so revoking the key ends its sessions (checked through the
 * authenticator, with its cache); nothing secret is in it and it cannot be forged without the
 * installation's secret.
 */
export function createSessions(auth: Pick<Authenticator, 'byKeyId'>, secret: string) {
  const mac = (body: string) => createHmac('sha256', secret).update(body).digest('base64url');
  return {
    issue(principal: Principal, now: number): string {
      const body = Buffer.from(JSON.stringify({ k: principal.keyId, c: principal.clientId, a: principal.admin, e: now + sessionTtlMs })).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    async principal(token: string, now: number): Promise<Principal | null> {
      const [body, signature] = token.split('.');
      if (!body || !signature) return null;
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let claims: { k: string; c: string; a: boolean; e: number };
      try {
        claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
      if (!(claims.e > now)) return null;
      return auth.byKeyId(claims.k);
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A malformed %-escape is a bad cookie (no session), not a server error.
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return '';
      }
    }
  }
  return null;
}
