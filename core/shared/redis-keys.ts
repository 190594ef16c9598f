// Redis key formats, defined once. The gateway's token buckets live under one prefix so that an
// operator can find (or flush) them with SCAN, and tests isolate themselves with their own prefix.
import type { Entity } from './entity';
import { entityKey } from './entity';

/** Prefix of every rate-limit bucket key: `sentinel:rl:USER#<id>`. */
export const RATE_LIMIT_KEY_PREFIX = 'sentinel:rl:';

/**
 * The token-bucket key of an entity. The entity part reuses the DynamoDB key form (`USER#id`), so a
 * bucket, an aggregate and a block about the same user are recognisably the same string.
 */
export function rateLimitKey(entity: Entity, prefix: string = RATE_LIMIT_KEY_PREFIX): string {
  return prefix + entityKey(entity);
}
