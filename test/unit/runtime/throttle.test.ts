// Throttles in the token bucket: the lower of two policies, which bucket a throttled request takes,
// and a bucket charged under a larger policy counting as empty (not in debt) under a throttle.
import { describe, expect, it } from 'vitest';
import type { BlockRecord, ThrottleLimit } from '../../../core/shared/block-record';
import { manualClock } from '../../../runtime/lib/clock';
import { MemoryRateLimiter } from '../../../runtime/rate-limit/memory-limiter';
import { lowerPolicy, throttledBucket } from '../../../runtime/rate-limit/throttle';
import { bucketTimes, take, US_PER_MS } from '../../../runtime/rate-limit/token-bucket';

const normal = { capacity: 100, refillPerSecond: 10 };
const user = { kind: 'user', id: 'alice' } as const;
const ip = { kind: 'ip', id: '203.0.113.7' } as const;
const throttleOf = (
  entity: BlockRecord['entity'],
  limit: ThrottleLimit,
  publicReason?: string,
): BlockRecord => ({
  entity,
  action: 'throttle',
  limit,
  reason: 'surge',
  ...(publicReason ? { publicReason } : {}),
  blockedAt: 0,
  expiresAt: 1,
  source: 'detector',
  strikes: 1,
});

describe('lowerPolicy', () => {
  it('takes the lower capacity and the lower refill, and the normal policy itself when nothing is lower', () => {
    expect(lowerPolicy(normal, { capacity: 5, refillPerSecond: 1 })).toEqual({
      capacity: 5,
      refillPerSecond: 1,
    });
    expect(lowerPolicy(normal, { capacity: 500, refillPerSecond: 1 })).toEqual({
      capacity: 100,
      refillPerSecond: 1,
    });
    expect(lowerPolicy(normal, { capacity: 100, refillPerSecond: 50 })).toBe(normal);
  });
});

describe('throttledBucket', () => {
  it("charges a throttled user's own bucket under the throttle", () => {
    expect(
      throttledBucket(
        normal,
        user,
        throttleOf(user, { capacity: 2, refillPerSecond: 1 }, 'slow down'),
        undefined,
      ),
    ).toEqual({
      entity: user,
      policy: { capacity: 2, refillPerSecond: 1 },
      publicReason: 'slow down',
    });
  });

  it('leaves a user whose throttle is above the normal policy on the normal bucket', () => {
    expect(
      throttledBucket(normal, user, throttleOf(user, { capacity: 1000, refillPerSecond: 100 }), undefined),
    ).toBeUndefined();
    expect(throttledBucket(normal, user, undefined, undefined)).toBeUndefined();
  });

  it("charges a throttled IP's bucket under the lowest of the normal policy and both throttles", () => {
    const result = throttledBucket(
      normal,
      user,
      throttleOf(user, { capacity: 50, refillPerSecond: 0.5 }),
      throttleOf(ip, { capacity: 20, refillPerSecond: 5 }),
    );
    expect(result).toMatchObject({ entity: ip, policy: { capacity: 20, refillPerSecond: 0.5 } });
  });

  it('gives a throttled IP range one bucket for the whole range', () => {
    const range = { kind: 'ip', id: '203.0.113.0/24' } as const;
    const result = throttledBucket(
      normal,
      user,
      undefined,
      throttleOf(range, { capacity: 20, refillPerSecond: 5 }),
    );
    expect(result).toMatchObject({ entity: range, policy: { capacity: 20, refillPerSecond: 5 } });
  });
});

describe('a bucket charged under a larger policy', () => {
  const ms = (n: number) => n * US_PER_MS;

  it('counts as empty under the throttle and recovers one token per throttled interval', () => {
    // 100 tokens at 10/s, all spent at t=0: full again at 10 s.
    const spent = ms(10_000);
    const throttle = bucketTimes({ capacity: 2, refillPerSecond: 1 });
    const refused = take(spent, ms(0), throttle);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 1000, remaining: 0 });
    // The debt beyond one throttled burst is forgotten: full again 2 s from now.
    expect(refused.fullAt).toBe(ms(2000));
    expect(take(refused.fullAt, ms(1000), throttle)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('is applied alike by the in-process limiter', async () => {
    const clock = manualClock(1_000_000);
    const limiter = new MemoryRateLimiter({ ...normal, clock });
    for (let i = 0; i < 100; i++) expect((await limiter.limit('k')).success).toBe(true);
    const throttle = { capacity: 2, refillPerSecond: 1 };
    expect(await limiter.limit('k', throttle)).toMatchObject({
      success: false,
      limit: 2,
      retryAfterMs: 1000,
    });
    clock.advance(1000);
    expect(await limiter.limit('k', throttle)).toMatchObject({ success: true, limit: 2 });
    expect(await limiter.limit('k', throttle)).toMatchObject({ success: false });
    // Back to the normal policy: the throttled bucket is full again 1 s from now, which is 10
    // tokens under the normal policy, and this request takes one more.
    clock.advance(1000);
    expect(await limiter.limit('k')).toMatchObject({ success: true, limit: 100, remaining: 89 });
  });
});
