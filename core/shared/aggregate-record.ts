// The traffic aggregate item: one per (15-minute bucket, entity), merged across gateway tasks with
// UpdateItem ADD. The gateway writes it, the detector reads it; the attribute names live here only.
import { bucketPartitionKey } from './buckets';
import type { Entity } from './entity';
import { entityKey } from './entity';

/**
 * The request counters kept per bucket and entity: the one list that the gateway's writer, the
 * detector's reader and the evaluation iterate.
 * - `requests`: all requests, whatever their answer;
 * - `errors4xx`: 4xx answers, including auth failures, rate-limited requests and blocks;
 * - `errors5xx`: 5xx answers, the upstream's fault, never counted against the client;
 * - `authFailures`: 401/403 answers (failed authentication or authorization);
 * - `rateLimited`: 429 answers, from the rate limit or a throttle;
 * - `blocked`: refused because the entity was on the blocklist (403 `blocked`), also counted in
 *   requests and errors4xx as the original did. The detector leaves them out of the traffic it
 *   judges: a blocked client that keeps sending must not raise its own baseline for when the block
 *   ends.
 */
export const REQUEST_COUNTERS = [
  'requests',
  'errors4xx',
  'errors5xx',
  'authFailures',
  'rateLimited',
  'blocked',
] as const;
export type RequestCounter = (typeof REQUEST_COUNTERS)[number];

/** Counters accumulated per bucket and entity. */
export type AggregateCounts = Record<RequestCounter, number> & {
  latencyMsSum: number;
  /** Distinct endpoints seen (bounded by MAX_ENDPOINTS_PER_BUCKET per task and flush). */
  endpoints: string[];
};

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
  ...REQUEST_COUNTERS,
  'latencyMsSum',
] as const satisfies ReadonlyArray<keyof AggregateCounts>;

/** Bound on distinct endpoints a task records per entity and bucket, so one client cannot grow an item without limit. */
export const MAX_ENDPOINTS_PER_BUCKET = 64;

export function emptyCounts(): AggregateCounts {
  const counts = { latencyMsSum: 0, endpoints: [] } as unknown as AggregateCounts;
  for (const field of REQUEST_COUNTERS) counts[field] = 0;
  return counts;
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
