// The Redis connection of the rate limiter. Commands fail fast instead of queueing: no offline queue,
// no per-command retries, a short command timeout. Auto-pipelining batches the EVALSHAs of concurrent
// requests into one write. Reconnection is left to ioredis, with a capped backoff.
import { Redis } from 'ioredis';
import type { Logger } from '../lib/logger';

export interface RedisClientOptions {
  url: string;
  commandTimeoutMs: number;
  logger: Logger;
}

export function createRedisClient(options: RedisClientOptions): Redis {
  const redis = new Redis(options.url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
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
