// An in-process token bucket per key: the fallback while Redis is unavailable (failure mode `open`)
// and the limiter of `sentinel dev`. Bounded: past maxKeys the least recently used bucket is
// forgotten, which can only be generous (a forgotten bucket comes back full).
import type { Clock } from '../lib/clock';
import { LruMap } from '../lib/lru';
import type { BucketPolicy, RateLimitDecision, RateLimiter } from './decision';
import { bucketTimes, take, US_PER_MS, type BucketTimes } from './token-bucket';

export interface MemoryLimiterOptions extends BucketPolicy {
  clock: Clock;
  /** @default 100000 */
  maxKeys?: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #policy: BucketPolicy;
  readonly #clock: Clock;
  readonly #times: BucketTimes;
  /** When each bucket is full again, µs. */
  readonly #buckets: LruMap<string, number>;

  constructor(options: MemoryLimiterOptions) {
    this.#policy = { capacity: options.capacity, refillPerSecond: options.refillPerSecond };
    this.#clock = options.clock;
    this.#times = bucketTimes(this.#policy);
    this.#buckets = new LruMap(options.maxKeys ?? 100_000);
  }

  /** Synchronous form, used by the resilient limiter without an extra promise. */
  take(key: string, policy?: BucketPolicy): RateLimitDecision {
    const times = policy ? bucketTimes(policy) : this.#times;
    const previous = this.#buckets.get(key);
    const result = take(previous, this.#clock.now() * US_PER_MS, times);
    if (result.fullAt !== undefined && result.fullAt !== previous) this.#buckets.set(key, result.fullAt);
    return {
      success: result.allowed,
      reason: result.allowed ? 'allowed' : 'limited',
      limit: (policy ?? this.#policy).capacity,
      remaining: result.remaining,
      resetMs: result.resetMs,
      retryAfterMs: result.retryAfterMs,
      source: 'memory',
    };
  }

  limit(key: string, policy?: BucketPolicy): Promise<RateLimitDecision> {
    return Promise.resolve(this.take(key, policy));
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  status() {
    return { backend: 'memory', state: 'ok' } as const;
  }

  close(): Promise<void> {
    this.#buckets.clear();
    return Promise.resolve();
  }
}
