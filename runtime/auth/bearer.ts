// Extracts the token from `Authorization: Bearer <token>` (RFC 6750 section 2.1) and rejects shapes
// that cannot be a compact JWS before any crypto or cache lookup happens.

/** Longest token accepted; also bounds the memory one verified-token cache entry can use. */
export const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type BearerParse = { ok: true; token: string } | { ok: false; reason: 'missing_token' | 'malformed' };

export function parseBearer(header: string | undefined): BearerParse {
  if (header === undefined || header === '') return { ok: false, reason: 'missing_token' };
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space).toLowerCase() !== 'bearer') {
    return { ok: false, reason: 'missing_token' };
  }
  const token = header.slice(space + 1).trim();
  if (token.length === 0) return { ok: false, reason: 'missing_token' };
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
  return { ok: true, token };
}
