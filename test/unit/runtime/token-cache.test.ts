// The verified-token cache: exact-token hits, exp and age bounds, memory bound.
import { describe, expect, it } from 'vitest';
import {
  MAX_CACHED_TOKEN_AGE_MS,
  MAX_CACHED_TOKEN_LENGTH,
  VerifiedTokenCache,
} from '../../../runtime/auth/token-cache';

describe('verified token cache', () => {
  const identity = {
    userId: 'u',
    userIdHeader: 'u',
    tokenId: undefined,
    expiresAt: 1000,
    algorithm: 'HS256' as const,
  };

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
});
