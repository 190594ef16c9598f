// Extracts the token from `Authorization: Bearer <token>` (RFC 6750 section 2.1) and rejects shapes
// that cannot be a compact JWS before any crypto happens. Two steps, so that the request path can
// look a token up in the verified-token cache between them: a cached token passed the shape check
// when it was verified (a hit is the whole token, compared), and testing the ~200 characters of
// every reused token against the pattern again was a measurable part of each request's work.

/** Longest token accepted; also bounds the memory one verified-token cache entry can use. */
export const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const SCHEME = 'bearer';

export type BearerParse = { ok: true; token: string } | { ok: false; reason: 'missing_token' | 'malformed' };

/** The credentials after the Bearer scheme (any case), unchecked; undefined when there are none. */
export function bearerCredentials(header: string | undefined): string | undefined {
  if (header === undefined || header.indexOf(' ') !== SCHEME.length) return undefined;
  // The usual spelling without a lower-cased copy.
  if (!header.startsWith('Bearer') && header.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    return undefined;
  }
  const token = header.slice(SCHEME.length + 1).trim();
  return token.length === 0 ? undefined : token;
}

/** Whether credentials can be a compact JWS of an acceptable length. */
export function isCompactJws(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && COMPACT_JWS.test(token);
}

export function parseBearer(header: string | undefined): BearerParse {
  const token = bearerCredentials(header);
  if (token === undefined) return { ok: false, reason: 'missing_token' };
  return isCompactJws(token) ? { ok: true, token } : { ok: false, reason: 'malformed' };
}
