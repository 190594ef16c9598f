// Verified tokens, remembered so that a client reusing its token skips the signature check (a hit
// costs about 1 µs against about 37 µs for an HS256 verify). A hit is the whole token, compared
// character by character, so a changed byte is a miss; an entry never outlives the token's exp, nor
// a bounded age (a key removed from the JWKS stops being honoured within that age).
//
// The map is keyed by the token's last characters (the end of its signature) rather than by the
// whole token: a Map hashes its string key on every lookup, and hashing ~200 characters per request
// showed in instruction counts. Two tokens sharing that end (which takes a forged signature) only
// displace each other's entry.
import { LruMap } from '../lib/lru';
import type { Identity } from './auth-failure';

/** Longest an entry is trusted without re-verification, whatever the token's exp. */
export const MAX_CACHED_TOKEN_AGE_MS = 5 * 60_000;
/** Longer tokens are verified every time: this bounds the cache's memory (entries x length). */
export const MAX_CACHED_TOKEN_LENGTH = 2048;

/** Characters of the token's end the map is keyed by: 192 bits of a signature's base64url. */
const KEY_CHARS = 32;

interface Entry {
  token: string;
  identity: Identity;
  validUntil: number;
}

function keyOf(token: string): string {
  return token.length > KEY_CHARS ? token.slice(-KEY_CHARS) : token;
}

export class VerifiedTokenCache {
  readonly #lru: LruMap<string, Entry>;

  constructor(maxEntries: number) {
    this.#lru = new LruMap(maxEntries);
  }

  get(token: string, nowMs: number): Identity | undefined {
    const key = keyOf(token);
    const entry = this.#lru.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (nowMs >= entry.validUntil) {
      this.#lru.delete(key);
      return undefined;
    }
    return entry.identity;
  }

  set(token: string, identity: Identity, nowMs: number): void {
    if (token.length > MAX_CACHED_TOKEN_LENGTH) return;
    const cap = nowMs + MAX_CACHED_TOKEN_AGE_MS;
    const validUntil = identity.expiresAt === undefined ? cap : Math.min(cap, identity.expiresAt * 1000);
    if (validUntil > nowMs) this.#lru.set(keyOf(token), { token, identity, validUntil });
  }

  get size(): number {
    return this.#lru.size;
  }
}
