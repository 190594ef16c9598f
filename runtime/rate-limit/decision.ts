// The rate limiter's contract. A decision is a value (as in upstash/ratelimit-js), never an exception:
// the middleware turns it into headers and, when refused, a 429 or a 503.

export type RateLimitReason = 'allowed' | 'limited' | 'unavailable';

export interface RateLimitDecision {
  success: boolean;
  reason: RateLimitReason;
  /** Bucket capacity. */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** Milliseconds until one token is back (0 when allowed). */
  retryAfterMs: number;
  /** Which bucket decided: the shared one in Redis or this task's own. */
  source: 'redis' | 'memory' | 'none';
}

export interface RateLimiterStatus {
  backend: 'redis' | 'memory';
  /** `degraded` while Redis is unavailable and the failure mode applies. */
  state: 'ok' | 'degraded';
}

export interface RateLimiter {
  /**
   * Takes one token from the bucket of `key` if there is one. Never throws. `policy` replaces the
   * limiter's own for this request (a throttled entity); the bucket is the same.
   */
  limit(key: string, policy?: BucketPolicy): Promise<RateLimitDecision>;
  /** Readiness: does the shared store answer within its bound? */
  ping(): Promise<boolean>;
  status(): RateLimiterStatus;
  close(): Promise<void>;
}

export interface BucketPolicy {
  capacity: number;
  refillPerSecond: number;
}
