// The verifier's pure parts: bearer parsing, user id claims, key/algorithm pairing, the token cache.
import { describe, expect, it } from 'vitest';
import { parseBearer } from '../../../runtime/auth/bearer';
import { algorithmsForJwk, isVerificationJwk } from '../../../runtime/auth/key-algorithms';
import {
  MAX_CACHED_TOKEN_AGE_MS,
  MAX_CACHED_TOKEN_LENGTH,
  VerifiedTokenCache,
} from '../../../runtime/auth/token-cache';
import { userIdFrom } from '../../../runtime/auth/verify-claims';
import { LruMap } from '../../../runtime/lib/lru';

describe('parseBearer', () => {
  it('accepts the Bearer scheme in any case and rejects other shapes early', () => {
    expect(parseBearer('Bearer a.b.c')).toEqual({ ok: true, token: 'a.b.c' });
    expect(parseBearer('bearer  a.b.c ')).toEqual({ ok: true, token: 'a.b.c' });
    expect(parseBearer(undefined)).toEqual({ ok: false, reason: 'missing_token' });
    expect(parseBearer('Basic abc')).toEqual({ ok: false, reason: 'missing_token' });
    expect(parseBearer('Bearer a.b')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseBearer('Bearer a.b.c.d')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseBearer(`Bearer ${'a'.repeat(9000)}.b.c`)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseBearer('Bearer ')).toEqual({ ok: false, reason: 'missing_token' });
    expect(parseBearer('BEARER a.b.c')).toEqual({ ok: true, token: 'a.b.c' });
    expect(parseBearer('Bearerx a.b.c')).toEqual({ ok: false, reason: 'missing_token' });
  });
});

describe('userIdFrom', () => {
  it('prefers sub, then user_id, or only the configured claim', () => {
    expect(userIdFrom({ sub: 'a', user_id: 'b' }, undefined)).toEqual({ ok: true, value: 'a' });
    expect(userIdFrom({ user_id: 42 }, undefined)).toEqual({ ok: true, value: '42' });
    expect(userIdFrom({ sub: 'a', email: 'e@x' }, 'email')).toEqual({ ok: true, value: 'e@x' });
    expect(userIdFrom({ sub: 'a' }, 'email').ok).toBe(false);
    expect(userIdFrom({ sub: 'a\nb' }, undefined).ok).toBe(false);
    expect(userIdFrom({ sub: { id: 1 } as unknown as string }, undefined).ok).toBe(false);
  });
});

describe('key algorithms', () => {
  it('pairs keys only with algorithms of their family (and their declared alg)', () => {
    expect(algorithmsForJwk({ kty: 'RSA' })).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    expect(algorithmsForJwk({ kty: 'RSA', alg: 'PS256' })).toEqual(['PS256']);
    expect(algorithmsForJwk({ kty: 'EC', crv: 'P-384' })).toEqual(['ES384']);
    expect(algorithmsForJwk({ kty: 'OKP', crv: 'Ed25519' })).toEqual(['EdDSA']);
    expect(algorithmsForJwk({ kty: 'oct', k: 'c2VjcmV0' })).toEqual([]);
    expect(isVerificationJwk({ kty: 'RSA', use: 'enc' })).toBe(false);
    expect(isVerificationJwk({ kty: 'oct', k: 'x' })).toBe(false);
  });
});

describe('verified token cache', () => {
  const identity = { userId: 'u', tokenId: undefined, expiresAt: 1000, algorithm: 'HS256' as const };

  it('serves a token until its exp and never after', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', identity, 999_000);
    expect(cache.get('t', 999_999)).toBe(identity);
    expect(cache.get('t', 1_000_000)).toBeUndefined();
  });

  it('answers only for the very token verified, also when another shares its end', () => {
    const cache = new VerifiedTokenCache(10);
    const signature = 's'.repeat(43);
    const alice = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.${signature}`;
    const forged = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.${signature}`;
    cache.set(alice, identity, 0);
    expect(cache.get(alice, 0)).toBe(identity);
    // A token with alice's signature but another payload is not alice's, whatever the lookup key.
    expect(cache.get(forged, 0)).toBeUndefined();
    expect(cache.get(`${alice.slice(0, -1)}t`, 0)).toBeUndefined();
    // A verified token sharing the end replaces the entry; neither is ever answered with the other's.
    const other = { ...identity, userId: 'other' };
    cache.set(forged, other, 0);
    expect(cache.get(forged, 0)).toBe(other);
    expect(cache.get(alice, 0)).toBeUndefined();
  });

  it('does not keep over-long tokens (memory bound), they are simply verified each time', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('x'.repeat(MAX_CACHED_TOKEN_LENGTH + 1), identity, 0);
    expect(cache.size).toBe(0);
  });

  it('bounds the age of tokens without exp, and the number of entries', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', { ...identity, expiresAt: undefined }, 0);
    expect(cache.get('a', MAX_CACHED_TOKEN_AGE_MS - 1)).toBeDefined();
    expect(cache.get('a', MAX_CACHED_TOKEN_AGE_MS)).toBeUndefined();
    cache.set('b', { ...identity, expiresAt: 10 }, 0);
    cache.set('c', { ...identity, expiresAt: 10 }, 0);
    cache.set('d', { ...identity, expiresAt: 10 }, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
  });

  it('LruMap refreshes on hit and evicts the oldest', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(() => new LruMap(-1)).toThrow(RangeError);
  });

  it('LruMap never evicts a key used within the last half of its capacity, and does evict idle ones', () => {
    const lru = new LruMap<string, number>(10);
    for (let i = 0; i < 10; i++) lru.set(`k${i}`, i);
    // k0 is used once every 5 inserts (half the capacity): always kept, while every other old key goes.
    for (let i = 10; i < 200; i++) {
      if (i % 5 === 0) expect(lru.get('k0')).toBe(0);
      lru.set(`k${i}`, i);
      expect(lru.size).toBe(10);
    }
    expect(lru.get('k0')).toBe(0);
    for (let i = 1; i < 190; i++) expect(lru.get(`k${i}`)).toBeUndefined();
    // Used less often than that, it is evicted like any idle key.
    for (let i = 200; i < 220; i++) lru.set(`k${i}`, i);
    expect(lru.get('k0')).toBeUndefined();
  });
});
