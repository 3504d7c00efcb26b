import { AppError } from '../errors/AppError.js';
import type { EndpointPatch } from './records.js';
import { characterCount, maxUrlLength } from './limits.js';
import { isWebhookEvent, webhookEvents } from './webhookEvents.js';

/**
 * Validates the body of POST /webhooks (`partial` false: `url` required) or PATCH /webhooks/{id}
 * (every field optional). Pure; the URL's host is checked against the egress guard by the caller.
 */
export function parseEndpointInput(body: unknown, partial: boolean): EndpointPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_request', partial ? 'The body must be a JSON object with any of url, description, events, enabled.' : 'The body must be a JSON object with `url` (and optionally description, events).');
  }
  const input = body as Record<string, unknown>;
  const known = partial ? ['url', 'description', 'events', 'enabled'] : ['url', 'description', 'events'];
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new AppError('invalid_request', `Unknown field(s): ${unknown.join(', ')}; expected ${known.join(', ')}.`);
  const out: EndpointPatch = {};
  if (input.url !== undefined || !partial) out.url = parseUrl(input.url);
  if (input.description !== undefined) {
    if (input.description !== null && typeof input.description !== 'string') throw new AppError('invalid_request', 'description: must be a string or null.');
    if (typeof input.description === 'string' && characterCount(input.description) > 500) throw new AppError('invalid_request', 'description: at most 500 characters.');
    out.description = input.description === '' ? null : input.description;
  }
  if (input.events !== undefined) out.events = parseEvents(input.events);
  if (input.enabled !== undefined) {
    if (typeof input.enabled !== 'boolean') throw new AppError('invalid_request', 'enabled: must be true or false.');
    out.enabled = input.enabled;
  }
  return out;
}

function parseUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') throw new AppError('invalid_request', 'url: required, an http(s) URL that receives the POSTs.');
  if (url.length > maxUrlLength) throw new AppError('invalid_request', `url: at most ${maxUrlLength} characters.`);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new AppError('invalid_request', `url: ${JSON.stringify(url.slice(0, 200))} is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AppError('invalid_request', `url: must be http or https, not ${parsed.protocol.replace(':', '')}.`);
  if (parsed.hash) throw new AppError('invalid_request', 'url: a #fragment is never sent; remove it.');
  return parsed.toString();
}

function parseEvents(events: unknown): string[] {
  if (!Array.isArray(events) || events.length === 0) throw new AppError('invalid_request', `events: a non-empty array of ${webhookEvents.join(', ')}.`);
  const bad = events.filter((e) => typeof e !== 'string' || !isWebhookEvent(e));
  if (bad.length > 0) throw new AppError('invalid_request', `events: unknown event(s) ${bad.map((e) => JSON.stringify(e)).join(', ')}; the events are ${webhookEvents.join(', ')}.`);
  return webhookEvents.filter((e) => events.includes(e));
}
