// The traffic aggregate item: one per (15-minute bucket, entity), merged across gateway tasks with
// UpdateItem ADD. The gateway writes it, the detector reads it; the attribute names live here only.
import { bucketPartitionKey } from './buckets';
import type { Entity } from './entity';
import { entityKey } from './entity';

/** Counters accumulated per bucket and entity. */
export interface AggregateCounts {
  requests: number;
  errors4xx: number;
  errors5xx: number;
  authFailures: number;
  rateLimited: number;
  /**
   * Refused because the entity was on the blocklist (403 `blocked`), also counted in requests and
   * errors4xx as the original did. The detector leaves them out of the traffic it judges: a blocked
   * client that keeps sending must not raise its own baseline for when the block ends.
   */
  blocked: number;
  latencyMsSum: number;
  /** Distinct endpoints seen (bounded by MAX_ENDPOINTS_PER_BUCKET per task and flush). */
  endpoints: string[];
}

/** Attribute names; the first three are the original's. */
export const AGGREGATE_ATTRIBUTES = {
  requests: 'requestCount',
  errors4xx: 'error4xxCount',
  errors5xx: 'error5xxCount',
  authFailures: 'authFailureCount',
  rateLimited: 'rateLimitedCount',
  blocked: 'blockedCount',
  latencyMsSum: 'latencyMsSum',
  endpoints: 'endpoints',
  lastUpdatedEpoch: 'lastUpdatedEpoch',
} as const;

export const NUMERIC_AGGREGATE_FIELDS = [
  'requests',
  'errors4xx',
  'errors5xx',
  'authFailures',
  'rateLimited',
  'blocked',
  'latencyMsSum',
] as const satisfies ReadonlyArray<keyof AggregateCounts>;

/** Bound on distinct endpoints a task records per entity and bucket, so one client cannot grow an item without limit. */
export const MAX_ENDPOINTS_PER_BUCKET = 64;

export function emptyCounts(): AggregateCounts {
  return {
    requests: 0,
    errors4xx: 0,
    errors5xx: 0,
    authFailures: 0,
    rateLimited: 0,
    blocked: 0,
    latencyMsSum: 0,
    endpoints: [],
  };
}

export function aggregateKey(bucketMs: number, entity: Entity): { pk: string; sk: string } {
  return { pk: bucketPartitionKey(bucketMs), sk: entityKey(entity) };
}

/** Reads an item as returned by the DocumentClient (string sets arrive as Set<string>). */
export function countsFromItem(item: Record<string, unknown>): AggregateCounts {
  const num = (name: string) => {
    const value = item[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  };
  const rawEndpoints = item[AGGREGATE_ATTRIBUTES.endpoints];
  const endpoints =
    rawEndpoints instanceof Set
      ? [...rawEndpoints].map(String)
      : Array.isArray(rawEndpoints)
        ? rawEndpoints.map(String)
        : [];
  const counts = emptyCounts();
  for (const field of NUMERIC_AGGREGATE_FIELDS) counts[field] = num(AGGREGATE_ATTRIBUTES[field]);
  counts.endpoints = endpoints;
  return counts;
}
