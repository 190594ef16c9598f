// The gateway's rate limiter: the shared Redis bucket behind a circuit breaker, with the failure
// policy applied while Redis is unavailable: `open` limits with this task's own bucket, `closed`
// refuses with 503. Recovery is automatic: the breaker probes Redis again after its cooldown.
import type { Redis } from 'ioredis';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import { CircuitBreaker, type BreakerOptions } from './breaker';
import type { BucketPolicy, RateLimitDecision, RateLimiter, RateLimiterStatus } from './decision';
import { MemoryRateLimiter } from './memory-limiter';
import { TOKEN_BUCKET_SCRIPT } from './lua';
import { RedisTokenBucket } from './redis-limiter';

export type FailureMode = 'open' | 'closed';

export interface ResilientLimiterOptions extends BucketPolicy {
  redis: Redis;
  failureMode: FailureMode;
  /** Bound of the readiness PING. */
  pingTimeoutMs: number;
  /** Bound of one rate-limit command; past it the failure mode applies. @default pingTimeoutMs */
  commandTimeoutMs?: number;
  clock: Clock;
  logger: Logger;
  breaker?: BreakerOptions;
}

export class ResilientRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #bucket: RedisTokenBucket;
  readonly #fallback: MemoryRateLimiter;
  readonly #breaker: CircuitBreaker;
  readonly #options: ResilientLimiterOptions;

  constructor(options: ResilientLimiterOptions) {
    this.#options = options;
    this.#redis = options.redis;
    this.#bucket = new RedisTokenBucket(options.redis, options, {
      commandTimeoutMs: options.commandTimeoutMs ?? options.pingTimeoutMs,
    });
    this.#fallback = new MemoryRateLimiter({ ...options, clock: options.clock });
    this.#breaker = new CircuitBreaker(options.breaker);
  }

  async limit(key: string, policy?: BucketPolicy): Promise<RateLimitDecision> {
    const { clock, logger } = this.#options;
    // A client that is not connected fails at once; that alone proves Redis is away, so the breaker
    // opens without waiting for more failures.
    if (this.#redis.status !== 'ready') {
      if (this.#breaker.state === 'closed')
        this.#trip(new Error(`redis connection is ${this.#redis.status}`), true);
    } else if (this.#breaker.allow(clock.now())) {
      try {
        const decision = await this.#bucket.take(key, policy);
        if (this.#breaker.onSuccess()) logger.info('rate limiter recovered: using Redis again');
        return decision;
      } catch (error) {
        this.#trip(error, false);
      }
    }
    return this.#degraded(key, policy);
  }

  #trip(error: unknown, immediately: boolean): void {
    if (this.#breaker.onFailure(this.#options.clock.now(), immediately)) {
      this.#options.logger.warn('rate limiter degraded: Redis unavailable', {
        error,
        failureMode: this.#options.failureMode,
        fallback: this.#options.failureMode === 'open' ? 'in-process bucket per task' : 'answer 503',
      });
    }
  }

  #degraded(key: string, policy: BucketPolicy | undefined): RateLimitDecision {
    if (this.#options.failureMode === 'open') return this.#fallback.take(key, policy);
    return {
      success: false,
      reason: 'unavailable',
      limit: (policy ?? this.#options).capacity,
      remaining: 0,
      resetMs: 0,
      retryAfterMs: Math.max(1000, this.#breaker.retryInMs(this.#options.clock.now())),
      source: 'none',
    };
  }

  async ping(): Promise<boolean> {
    const pong = await bounded(this.#redis.ping(), this.#options.pingTimeoutMs).catch(() => undefined);
    return pong === 'PONG';
  }

  status(): RateLimiterStatus {
    const healthy = this.#breaker.state === 'closed' && this.#redis.status === 'ready';
    return { backend: 'redis', state: healthy ? 'ok' : 'degraded' };
  }

  /**
   * Start-up: waits (bounded) for the connection and loads the script, so that the first requests
   * neither fall back nor pay for an EVAL. Never throws: a Redis that is not there yet is the
   * failure mode's business.
   */
  async warmUp(timeoutMs: number): Promise<void> {
    if (this.#redis.status !== 'ready') {
      const redis = this.#redis;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        redis.once('ready', done);
      });
    }
    try {
      await bounded(
        this.#redis.script('LOAD', TOKEN_BUCKET_SCRIPT),
        Math.max(1000, this.#options.pingTimeoutMs),
      );
    } catch (error) {
      this.#options.logger.warn('Redis not available at start-up', {
        error,
        failureMode: this.#options.failureMode,
      });
    }
  }

  async close(): Promise<void> {
    this.#bucket.stop();
    await this.#fallback.close();
    try {
      await bounded(this.#redis.quit(), Math.max(1000, this.#options.pingTimeoutMs));
    } catch {
      this.#redis.disconnect();
    }
  }
}

/**
 * A Redis call outside the request path, bounded: the client has no command timeout of its own
 * (the token bucket bounds its commands itself, more cheaply than a timer per command).
 */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
