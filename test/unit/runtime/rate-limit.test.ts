// Token-bucket arithmetic, the in-process limiter, the circuit breaker and the rate-limit headers.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../runtime/lib/clock';
import { Command } from 'ioredis';
import { BucketCommand, bucketCommandParts } from '../../../runtime/rate-limit/bucket-command';
import { CircuitBreaker } from '../../../runtime/rate-limit/breaker';
import { TOKEN_BUCKET_SHA } from '../../../runtime/rate-limit/redis-limiter';
import type { RateLimitDecision } from '../../../runtime/rate-limit/decision';
import {
  policyHeader,
  RATE_LIMIT_HEADER_NAMES,
  rateLimitHeaders,
  type RateLimitHeaderStyle,
} from '../../../runtime/rate-limit/headers';
import { MemoryRateLimiter } from '../../../runtime/rate-limit/memory-limiter';
import {
  bucketTimes,
  chargeDelay,
  idleTtlMs,
  outcome,
  take,
  US_PER_MS,
} from '../../../runtime/rate-limit/token-bucket';
import { rateLimitKey } from '../../../core/shared/redis-keys';

const policy = { capacity: 3, refillPerSecond: 2 };

describe('token bucket', () => {
  // 3 tokens, one back every 500 ms: the bucket is full 1.5 s after it was emptied.
  const times = bucketTimes(policy);
  const ms = (n: number) => n * US_PER_MS;

  it('starts full, spends one token per request and refuses when empty', () => {
    let fullAt: number | undefined;
    const results = [];
    for (let i = 0; i < 4; i++) {
      const r = take(fullAt, ms(1000), times);
      fullAt = r.fullAt;
      results.push([r.allowed, r.remaining, r.resetMs]);
    }
    expect(results).toEqual([
      [true, 2, 500],
      [true, 1, 1000],
      [true, 0, 1500],
      [false, 0, 1500],
    ]);
  });

  it('refills at the rate, capped at capacity', () => {
    const empty = ms(1500); // emptied at 0
    expect(take(empty, ms(250), times)).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 250 });
    expect(take(empty, ms(500), times)).toMatchObject({ allowed: true, remaining: 0, fullAt: ms(2000) });
    expect(take(empty, ms(1000), times)).toMatchObject({ allowed: true, remaining: 1 });
    // Idle for a minute: full, not over-full.
    expect(take(empty, ms(60_000), times)).toMatchObject({ remaining: 2, fullAt: ms(60_500) });
  });

  it('charges nothing for a refused request and says when one token is back', () => {
    // A quarter of a token left: full again in 1375 ms.
    const fullAt = ms(1375);
    const r = take(fullAt, 0, times);
    expect(r.allowed).toBe(false);
    expect(r.fullAt).toBe(fullAt);
    expect(r.retryAfterMs).toBe(375);
    expect(r.resetMs).toBe(1375);
  });

  it('takes several tokens for a costlier request, and only when they are all there', () => {
    expect(take(undefined, 0, times, 3)).toMatchObject({ allowed: true, remaining: 0, resetMs: 1500 });
    expect(take(ms(500), 0, times, 3)).toMatchObject({ allowed: false, remaining: 2, retryAfterMs: 500 });
  });

  it('reads a refusal that the Redis answer (whole µs) rounded onto the limit as a refusal', () => {
    expect(chargeDelay(ms(1000), 0, times)).toBe(ms(1500));
    expect(outcome(false, times.burst, times)).toEqual({
      allowed: false,
      remaining: 1,
      retryAfterMs: 1,
      resetMs: 1000,
    });
  });

  it('forgets idle buckets only once they would be full again', () => {
    expect(idleTtlMs({ capacity: 100, refillPerSecond: 1 })).toBe(101_000);
  });
});

describe('in-process limiter', () => {
  it('limits per key on the injected clock and recovers at the refill rate', async () => {
    const clock = manualClock(0);
    const limiter = new MemoryRateLimiter({ ...policy, clock });
    for (let i = 0; i < 3; i++) expect((await limiter.limit('a')).success).toBe(true);
    expect(await limiter.limit('a')).toMatchObject({ success: false, reason: 'limited', source: 'memory' });
    expect((await limiter.limit('b')).success).toBe(true);
    clock.advance(500);
    expect((await limiter.limit('a')).success).toBe(true);
  });

  it('stays bounded: the least recently used bucket is forgotten (and comes back full)', () => {
    const limiter = new MemoryRateLimiter({ ...policy, clock: manualClock(0), maxKeys: 2 });
    for (let i = 0; i < 3; i++) limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    expect(limiter.take('a').remaining).toBe(2);
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, lets one probe through after the cooldown, and closes on success', () => {
    const b = new CircuitBreaker({ failureThreshold: 2, baseCooldownMs: 100, maxCooldownMs: 400 });
    expect(b.onFailure(0)).toBe(false);
    expect(b.onFailure(0)).toBe(true);
    expect(b.allow(50)).toBe(false);
    expect(b.retryInMs(50)).toBe(50);
    expect(b.allow(100)).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.allow(100)).toBe(false); // only one probe
    expect(b.onSuccess()).toBe(true);
    expect(b.state).toBe('closed');
  });

  it('doubles the cooldown while probes fail, up to the cap, and opens at once when told', () => {
    const b = new CircuitBreaker({ failureThreshold: 5, baseCooldownMs: 100, maxCooldownMs: 300 });
    expect(b.onFailure(0, true)).toBe(true);
    b.allow(100);
    b.onFailure(100);
    expect(b.allow(299)).toBe(false);
    expect(b.allow(300)).toBe(true);
    b.onFailure(300);
    expect(b.retryInMs(300)).toBe(300);
  });
});

describe('the bucket command', () => {
  it('is on the wire exactly what ioredis would send for the same arguments', () => {
    const parts = bucketCommandParts(TOKEN_BUCKET_SHA, ['10000000', '1000000000', '1001000']);
    for (const key of ['sentinel:rl:USER#alice', 'sentinel:rl:USER#zoë', 'p:USER#🙂 x', 'k']) {
      const command = new BucketCommand(parts, key);
      const library = Command.prototype.toWritable.call(command, {});
      expect(command.toWritable()).toBe(library);
      expect(command.args).toEqual([TOKEN_BUCKET_SHA, '1', key, '10000000', '1000000000', '1001000']);
    }
    // The byte length, not the character count, of a non-ASCII key.
    expect(new BucketCommand(parts, 'é').toWritable()).toContain('$2\r\né\r\n');
  });
});

describe('rate-limit headers', () => {
  const policy = { capacity: 100, refillPerSecond: 1 };
  const allowed: RateLimitDecision = {
    success: true,
    reason: 'allowed',
    limit: 100,
    remaining: 42,
    resetMs: 58_001,
    retryAfterMs: 0,
    source: 'redis',
  };
  const refused: RateLimitDecision = {
    success: false,
    reason: 'limited',
    limit: 100,
    remaining: 0,
    resetMs: 100_000,
    retryAfterMs: 250,
    source: 'redis',
  };

  it('renders the draft structured fields, the common fields and the original one', () => {
    const value = policyHeader(policy);
    expect(value).toBe('"per-user";q=100;w=100');
    const all = rateLimitHeaders(policy, ['ietf', 'draft-6', 'legacy']);
    expect(all(allowed)).toEqual({
      'ratelimit-policy': value,
      ratelimit: '"per-user";r=42;t=59',
      'ratelimit-limit': '100',
      'ratelimit-remaining': '42',
      'ratelimit-reset': '59',
      'x-rate-limit-remaining': '42',
    });
    expect(all(refused)['retry-after']).toBe('1');
  });

  it('sends, per style, exactly the headers the smoke check looks for', () => {
    for (const style of Object.keys(RATE_LIMIT_HEADER_NAMES) as RateLimitHeaderStyle[]) {
      expect(Object.keys(rateLimitHeaders(policy, [style])(allowed)).sort()).toEqual(
        [...RATE_LIMIT_HEADER_NAMES[style]].sort(),
      );
    }
  });

  it('sends only the configured styles, and Retry-After on every refusal', () => {
    expect(rateLimitHeaders(policy, ['legacy'])(allowed)).toEqual({ 'x-rate-limit-remaining': '42' });
    expect(rateLimitHeaders(policy, ['ietf'])(allowed)).toEqual({
      'ratelimit-policy': '"per-user";q=100;w=100',
      ratelimit: '"per-user";r=42;t=59',
    });
    expect(rateLimitHeaders(policy, ['draft-6'])(refused)).toEqual({
      'ratelimit-limit': '100',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '100',
      'retry-after': '1',
    });
    expect(rateLimitHeaders(policy, ['none'])(allowed)).toEqual({});
    expect(rateLimitHeaders(policy, ['none'])({ ...refused, retryAfterMs: 4_200 })).toEqual({
      'retry-after': '5',
    });
  });

  it('keys buckets by entity under one prefix', () => {
    expect(rateLimitKey({ kind: 'user', id: 'alice' })).toBe('sentinel:rl:USER#alice');
    expect(rateLimitKey({ kind: 'user', id: 'a' }, 't1:')).toBe('t1:USER#a');
  });
});
