// The detector's input: per 15-minute bucket, one counter column per field, index-aligned with a
// list of entities. Columns (not objects per entity-bucket) keep a run over thousands of entities and
// a week of buckets cheap, and let the evaluation pass views of its arrays without copying.
import {
  REQUEST_COUNTERS,
  type AggregateCounts,
  type RequestCounter,
} from '../../core/shared/aggregate-record';
import { BUCKET_MS, bucketStart } from '../../core/shared/buckets';
import type { Entity } from '../../core/shared/entity';
import { entityKey } from '../../core/shared/entity';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

/**
 * The columns detection reads per bucket: every request counter but `blocked` (see
 * REQUEST_COUNTERS), and the number of distinct endpoints the entity called in the bucket.
 */
export type CounterField = Exclude<RequestCounter, 'blocked'> | 'endpoints';
export const COUNTER_FIELDS: readonly CounterField[] = [
  ...REQUEST_COUNTERS.filter((f): f is Exclude<RequestCounter, 'blocked'> => f !== 'blocked'),
  'endpoints',
];
/** Columns an input may leave out (read as zeros). */
export const OPTIONAL_COUNTER_FIELDS = ['blocked'] as const;

/** The counters of one bucket, one value per entity of {@link DetectInput.entities}, same order. */
export interface InputBucket extends Record<CounterField, ArrayLike<number>> {
  /** Start of the 15-minute UTC bucket, epoch milliseconds (a multiple of 900,000). */
  start: number;
  /** Requests refused by a block: not judged as traffic. Absent means none. */
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
    const bucket = { start } as InputBucket & Record<CounterField | 'blocked', Float64Array>;
    for (const field of [...COUNTER_FIELDS, ...OPTIONAL_COUNTER_FIELDS]) bucket[field] = new Float64Array(n);
    for (const [e, counts] of values) {
      for (const field of REQUEST_COUNTERS) bucket[field][e] = counts[field] ?? 0;
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
