// Header rules of the proxy, pure. Hop-by-hop headers (RFC 9110 section 7.6.1) and any header named
// in Connection are removed in both directions; the gateway's own headers are set, never passed on
// from the client.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request headers the gateway sets itself or must not forward (undici refuses `expect`). */
const SET_BY_GATEWAY = new Set([
  'host',
  'expect',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-request-id',
  'x-sentinel-user-id',
]);

export const USER_ID_HEADER = 'x-sentinel-user-id';
export const REQUEST_ID_HEADER = 'x-request-id';

export type HeaderValue = string | string[] | number | undefined;

function connectionTokens(value: HeaderValue): Set<string> | undefined {
  // Nearly every request and answer says just keep-alive (or close): no header is named there.
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  const text = Array.isArray(value) ? value.join(',') : String(value);
  const tokens = text
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && t !== 'close' && t !== 'keep-alive');
  return tokens.length > 0 ? new Set(tokens) : undefined;
}

export interface ForwardContext {
  /** Immediate peer of the gateway, appended to X-Forwarded-For. */
  peerAddress: string;
  /** Protocol and host as the client used them. */
  proto: string;
  host: string | undefined;
  requestId: string;
  userId: string;
  forwardAuthorization: boolean;
}

/** Headers sent upstream, from node's parsed request headers (lower-case names). */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  ctx: ForwardContext,
): Record<string, string | string[]> {
  const named = connectionTokens(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    if (HOP_BY_HOP.has(name) || SET_BY_GATEWAY.has(name) || named?.has(name)) continue;
    if (name === 'authorization' && !ctx.forwardAuthorization) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  const prior = incoming['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${prior}, ${ctx.peerAddress}` : ctx.peerAddress;
  out['x-forwarded-proto'] = ctx.proto;
  if (ctx.host) out['x-forwarded-host'] = ctx.host;
  out[REQUEST_ID_HEADER] = ctx.requestId;
  out[USER_ID_HEADER] = ctx.userId;
  return out;
}

/** Headers returned to the client, from undici's response headers, plus the gateway's own. */
export function clientResponseHeaders(
  upstream: Record<string, HeaderValue>,
  extra: Record<string, string>,
): OutgoingHttpHeaders {
  const named = connectionTokens(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || named?.has(name)) continue;
    const value = upstream[name];
    if (value !== undefined) out[name] = value;
  }
  for (const name in extra) out[name] = extra[name];
  return out;
}

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Keeps a client's request id when it is safe to log and forward, else makes one. */
export function requestIdFrom(header: string | undefined, generate: () => string): string {
  return header !== undefined && REQUEST_ID.test(header) ? header : generate();
}

/**
 * The value of X-Sentinel-User-Id for a user id: visible ASCII other than `%` as is, every other
 * character (space, non-ASCII) as the percent-encoded bytes of its UTF-8 form, `%` as `%25`. An
 * upstream decodes it with decodeURIComponent(); ids of visible ASCII without `%` arrive unchanged.
 */
export function userIdHeaderValue(id: string): string {
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f || code === 0x25) return percentEncode(id);
  }
  return id;
}

function percentEncode(id: string): string {
  let out = '';
  for (const ch of id) {
    const code = ch.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && code !== 0x25) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
