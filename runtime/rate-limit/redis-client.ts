// The Redis connection of the rate limiter. Commands fail fast instead of queueing: no offline queue,
// no per-command retries. The command timeout is not ioredis's (a timer per command): the token bucket
// bounds its commands with one watchdog and batches the commands of an event-loop turn into one write
// itself, which costs less than auto-pipelining (measured). Reconnection is left to ioredis, with a
// capped backoff.
import { Redis } from 'ioredis';
import type { Logger } from '../lib/logger';

export interface RedisClientOptions {
  url: string;
  commandTimeoutMs: number;
  logger: Logger;
}

export function createRedisClient(options: RedisClientOptions): Redis {
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1000, options.commandTimeoutMs * 4),
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1000),
  });
  // Connection errors repeat on every reconnect attempt; the limiter logs the state change once.
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    options.logger.debug('redis connection error', { error });
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}
