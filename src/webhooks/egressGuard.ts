import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';
import { AppError } from '../errors/AppError.js';

/** The address, with IPv4-mapped IPv6 (`::ffff:10.0.0.1`) seen as the IPv4 it is; null when not an IP. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
}

/** True for addresses on the public internet; false for loopback, private, link-local, multicast, reserved... */
export function isPublicAddress(address: string): boolean {
  return parseAddress(address)?.range() === 'unicast';
}

/** What outbound requests may reach: public addresses, plus private ones when allowed (all, or some networks). */
export interface EgressPolicy {
  allowPrivate: boolean;
  /** CIDRs allowed although not public (STEMLINE_ALLOWED_NETWORKS), e.g. `10.20.0.0/16`. */
  allowedNetworks?: readonly string[];
}

/** True when `policy` lets a connection go to `address`. */
export function isAllowedAddress(address: string, policy: EgressPolicy): boolean {
  if (policy.allowPrivate || isPublicAddress(address)) return true;
  const parsed = parseAddress(address);
  if (!parsed || !policy.allowedNetworks?.length) return false;
  return policy.allowedNetworks.some((cidr) => {
    const range = ipaddr.parseCIDR(cidr);
    return range[0].kind() === parsed.kind() && parsed.match(range);
  });
}

export function blockedMessage(host: string, address: string): string {
  return `${host} resolves to ${address}, a loopback, private or otherwise non-public address; refused (set STEMLINE_ALLOW_PRIVATE_NETWORKS=true, or list its network in STEMLINE_ALLOWED_NETWORKS, to allow it)`;
}

/** A DNS lookup that fails when any resolved address is not allowed (checked at connect time: DNS rebinding cannot slip past). */
export const guardedLookup = (policy: EgressPolicy): LookupFunction => (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as LookupAddress[];
    const blocked = list.find((a) => !isAllowedAddress(a.address, policy));
    if (blocked) return callback(Object.assign(new Error(blockedMessage(hostname, blocked.address)), { code: 'EBLOCKED' }), '', 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};

/**
 * An undici Agent whose every connection passes the guard: names through guardedLookup, IP literals
 * checked directly (Node does not call lookup for them). With `allowPrivate` it is a plain Agent.
 */
export function createGuardedAgent(options: { policy: EgressPolicy; connectTimeoutMs?: number; connections?: number }): Agent {
  const { policy } = options;
  if (policy.allowPrivate) return new Agent({ connect: { timeout: options.connectTimeoutMs ?? 10_000 }, connections: options.connections });
  const connector = buildConnector({ lookup: guardedLookup(policy), timeout: options.connectTimeoutMs ?? 10_000 });
  return new Agent({
    connections: options.connections,
    connect(connectOptions, callback) {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && !isAllowedAddress(host, policy)) {
        callback(Object.assign(new Error(blockedMessage(host, host)), { code: 'EBLOCKED' }), null);
        return;
      }
      connector(connectOptions, callback);
    },
  });
}

/** Creation-time check of a URL's host (spec: refused with 400 `url_not_allowed`). */
export async function checkUrlAllowed(url: string, policy: EgressPolicy): Promise<void> {
  if (policy.allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await new Promise<string[]>((resolve) => {
    dnsLookup(host, { all: true }, (error, list) => resolve(error ? [] : (list as LookupAddress[]).map((a) => a.address)));
  });
  // A name that does not resolve now is left to the fetch (it may be a transient DNS failure).
  const blocked = addresses.find((a) => !isAllowedAddress(a, policy));
  if (blocked) throw new AppError('url_not_allowed', `url: ${blockedMessage(host, blocked)}.`);
}
