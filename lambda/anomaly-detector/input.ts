// The detector's input: per 15-minute bucket, one counter column per field, index-aligned with a
// list of entities. Columns (not objects per entity-bucket) keep a run over thousands of entities and
// a week of buckets cheap, and let the evaluation pass views of its arrays without copying.
import type { AggregateCounts } from '../../core/shared/aggregate-record';
import { BUCKET_MS, bucketStart } from '../../core/shared/buckets';
import type { Entity } from '../../core/shared/entity';
import { entityKey } from '../../core/shared/entity';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

/** The counters of one bucket, one value per entity of {@link DetectInput.entities}, same order. */
export interface InputBucket {
  /** Start of the 15-minute UTC bucket, epoch milliseconds (a multiple of 900,000). */
  start: number;
  /** All requests, whatever their answer. */
  requests: ArrayLike<number>;
  /** 4xx answers, including 401/403 (auth failures) and 429 (rate limited). */
  errors4xx: ArrayLike<number>;
  /** 5xx answers: the upstream's fault, never counted against the client. */
  errors5xx: ArrayLike<number>;
  /** 401/403 answers (failed authentication or authorization). */
  authFailures: ArrayLike<number>;
  /** 429 answers from the rate limiter. */
  rateLimited: ArrayLike<number>;
  /** Distinct endpoints the entity called in this bucket. */
  endpoints: ArrayLike<number>;
  /**
   * Of `requests`, those refused because the entity was on the blocklist (403, also in `errors4xx`).
   * They are not judged as traffic. Optional: absent means none.
   */
  blocked?: ArrayLike<number>;
}

/**
 * Traffic of a set of entities (users and client IPs) over 15-minute buckets. Buckets may be
 * sparse and in any order; a bucket that is absent means no traffic. Only the buckets
 * {@link requiredBucketStarts} lists are read.
 */
export interface DetectInput {
  entities: readonly Entity[];
  buckets: readonly InputBucket[];
}

export const COUNTER_FIELDS = [
  'requests',
  'errors4xx',
  'errors5xx',
  'authFailures',
  'rateLimited',
  'endpoints',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];
/** Columns an input may leave out (read as zeros). */
export const OPTIONAL_COUNTER_FIELDS = ['blocked'] as const;

/** One aggregate as stored: which entity, which bucket, what counts. */
export interface BucketRecord {
  entity: Entity;
  bucketStart: number;
  counts: Pick<AggregateCounts, Exclude<CounterField, 'endpoints'>> & {
    blocked?: number;
    endpoints: number | readonly string[];
  };
}

/** Builds the columnar input from per-entity records (the handler's and offline users' path). */
export function inputFromRecords(records: Iterable<BucketRecord>): DetectInput {
  const entityIndex = new Map<string, number>();
  const entities: Entity[] = [];
  const rows: Array<{ start: number; values: Map<number, BucketRecord['counts']> }> = [];
  const rowIndex = new Map<number, number>();
  for (const record of records) {
    const key = entityKey(record.entity);
    let e = entityIndex.get(key);
    if (e === undefined) {
      e = entities.length;
      entityIndex.set(key, e);
      entities.push(record.entity);
    }
    const start = bucketStart(record.bucketStart);
    let r = rowIndex.get(start);
    if (r === undefined) {
      r = rows.length;
      rowIndex.set(start, r);
      rows.push({ start, values: new Map() });
    }
    rows[r]!.values.set(e, record.counts);
  }
  const n = entities.length;
  const buckets = rows.map(({ start, values }): InputBucket => {
    const column = () => new Float64Array(n);
    const bucket = {
      start,
      requests: column(),
      errors4xx: column(),
      errors5xx: column(),
      authFailures: column(),
      rateLimited: column(),
      endpoints: column(),
      blocked: column(),
    };
    for (const [e, counts] of values) {
      bucket.requests[e] = counts.requests;
      bucket.errors4xx[e] = counts.errors4xx;
      bucket.errors5xx[e] = counts.errors5xx;
      bucket.authFailures[e] = counts.authFailures;
      bucket.rateLimited[e] = counts.rateLimited;
      bucket.blocked[e] = counts.blocked ?? 0;
      bucket.endpoints[e] = typeof counts.endpoints === 'number' ? counts.endpoints : counts.endpoints.length;
    }
    return bucket;
  });
  return { entities, buckets };
}

/** Rejects inputs whose columns do not match the entity list: a caller bug, not a detection outcome. */
export function assertValidInput(input: DetectInput): void {
  const n = input.entities.length;
  for (const bucket of input.buckets) {
    if (bucket.start % BUCKET_MS !== 0) {
      throw new SentinelError(
        ErrorCode.DetectorInputInvalid,
        `bucket start ${bucket.start} is not on a 15-minute boundary`,
        { hint: 'use bucketStart() from core/shared/buckets' },
      );
    }
    for (const field of [...COUNTER_FIELDS, ...OPTIONAL_COUNTER_FIELDS]) {
      const column = bucket[field];
      if (column !== undefined && column.length !== n) {
        throw new SentinelError(
          ErrorCode.DetectorInputInvalid,
          `bucket ${new Date(bucket.start).toISOString()} has ${column.length} ${field} values for ${n} entities`,
          { hint: 'give every column one value per entity, in the order of `entities`' },
        );
      }
    }
  }
}
