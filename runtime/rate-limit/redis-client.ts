// The Redis connection of the rate limiter. Commands fail fast instead of queueing: no offline queue,
// no per-command retries. The command timeout is not ioredis's (a timer per command): the token bucket
// bounds its commands with one watchdog and batches the commands of an event-loop turn into one write
// itself, which costs less than auto-pipelining (no queue and no timer per command; bench:instructions
// compares them). Reconnection is left to ioredis, with a capped backoff.
import { Redis } from 'ioredis';
import type { Logger } from '../lib/logger';

export interface RedisClientOptions {
  url: string;
  /** AUTH password, when Redis requires one (ElastiCache's AUTH token); a password in the URL works too. */
  password?: string;
  commandTimeoutMs: number;
  logger: Logger;
}

/** Redis's answers to a connection without the right password (AUTH with a wrong one, or none). */
const REFUSED_CREDENTIALS = /\b(NOAUTH|WRONGPASS)\b|invalid password/;

export function createRedisClient(options: RedisClientOptions): Redis {
  const redis = new Redis(options.url, {
    ...(options.password ? { password: options.password } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1000, options.commandTimeoutMs * 4),
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1000),
  });
  // Connection errors repeat on every reconnect attempt; the limiter logs the state change once.
  // Refused credentials are a configuration error, not an outage: said once, at warn, with the fix.
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    if (REFUSED_CREDENTIALS.test(error.message)) {
      options.logger.warn('Redis refused the connection: wrong or missing AUTH token', {
        error,
        hint: options.password
          ? 'SENTINEL_API_REDIS_AUTH_TOKEN does not match the Redis password'
          : 'Redis requires a password: set SENTINEL_API_REDIS_AUTH_TOKEN (the full stack sets it)',
      });
    } else {
      options.logger.debug('redis connection error', { error });
    }
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}
