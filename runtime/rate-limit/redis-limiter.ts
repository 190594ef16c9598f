// The shared token bucket in Redis: one EVALSHA per request, EVAL when the server lost the script
// (NOSCRIPT after a restart or failover). Throws on Redis errors; the resilient limiter decides what
// a failure means.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BucketPolicy, RateLimitDecision } from './decision';
import { TOKEN_BUCKET_SCRIPT } from './lua';
import { idleTtlMs } from './token-bucket';

export const TOKEN_BUCKET_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

export class RedisTokenBucket {
  readonly #redis: Redis;
  readonly #policy: BucketPolicy;
  // Arguments are the same for every request: built once.
  readonly #args: [number, number, number, number];

  constructor(redis: Redis, policy: BucketPolicy) {
    this.#redis = redis;
    this.#policy = policy;
    this.#args = [policy.capacity, policy.refillPerSecond, 1, idleTtlMs(policy)];
  }

  async take(key: string): Promise<RateLimitDecision> {
    let reply: unknown;
    try {
      reply = await this.#redis.evalsha(TOKEN_BUCKET_SHA, 1, key, ...this.#args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      reply = await this.#redis.eval(TOKEN_BUCKET_SCRIPT, 1, key, ...this.#args);
    }
    const [allowed, remaining, retryAfterMs, resetMs] = reply as [number, number, number, number];
    return {
      success: allowed === 1,
      reason: allowed === 1 ? 'allowed' : 'limited',
      limit: this.#policy.capacity,
      remaining,
      resetMs,
      retryAfterMs,
      source: 'redis',
    };
  }
}
