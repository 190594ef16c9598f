// Verified tokens, remembered so that a client reusing its token skips the signature check, which
// costs far more than a lookup. A hit is the whole token, compared character by character, so a
// changed byte is a miss. An entry never outlives the token's exp, a bounded age, nor (for a JWKS
// key) the key set it was verified with: it goes once that set is stale, or at once when a refetch
// drops its key (the key's handle is dead).
//
// The map is keyed by the token's last characters (the end of its signature) rather than by the
// whole token: a Map hashes its string key on every lookup, and a short key keeps that cheap. Two
// tokens sharing that end (which takes a forged signature) only displace each other's entry.
import { LruMap } from '../lib/lru';
import type { Identity } from './auth-failure';
import type { KeyHandle } from './jwks-cache';

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
  /** The JWKS key that verified the token; absent for the secret and the static key. */
  handle: KeyHandle | undefined;
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
    if (nowMs >= entry.validUntil || (entry.handle !== undefined && !entry.handle.live)) {
      this.#lru.delete(key);
      return undefined;
    }
    return entry.identity;
  }

  /** `source` bounds the entry by the JWKS key that verified the token, when one did. */
  set(
    token: string,
    identity: Identity,
    nowMs: number,
    source?: { handle: KeyHandle; staleAt: number },
  ): void {
    if (token.length > MAX_CACHED_TOKEN_LENGTH) return;
    let validUntil = nowMs + MAX_CACHED_TOKEN_AGE_MS;
    if (identity.expiresAt !== undefined) validUntil = Math.min(validUntil, identity.expiresAt * 1000);
    if (source) validUntil = Math.min(validUntil, source.staleAt);
    if (validUntil > nowMs) {
      this.#lru.set(keyOf(token), { token, identity, validUntil, handle: source?.handle });
    }
  }

  get size(): number {
    return this.#lru.size;
  }
}
