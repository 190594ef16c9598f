// The LRU map behind the verified-token cache.
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../../runtime/lib/lru';

describe('LruMap', () => {
  it('refreshes on hit and evicts the oldest', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(() => new LruMap(-1)).toThrow(RangeError);
  });

  it('never evicts a key used within the last half of its capacity, and does evict idle ones', () => {
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
