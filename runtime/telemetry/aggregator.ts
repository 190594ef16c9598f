// Traffic aggregates in memory, pure: per 15-minute UTC bucket and entity (the user, or the client
// IP when there is no user), the counters the detector reads. Drained on every flush; bounded, with a
// drop counter, so a flood of distinct IPs cannot grow memory without limit.
import type { AggregateCounts } from '../../src/shared/aggregate-record';
import {
  emptyCounts,
  MAX_ENDPOINTS_PER_BUCKET,
  NUMERIC_AGGREGATE_FIELDS,
} from '../../src/shared/aggregate-record';
import { bucketStart } from '../../src/shared/buckets';
import type { Entity } from '../../src/shared/entity';

export interface AggregateEntry {
  bucketMs: number;
  entity: Entity;
  counts: AggregateCounts;
  /** Distinct endpoints, bounded by MAX_ENDPOINTS_PER_BUCKET. */
  endpoints: Set<string>;
  /** Flushes this entry has already failed (it is retried a bounded number of times). */
  failedFlushes: number;
}

export interface AggregateEvent {
  time: number;
  userId: string | undefined;
  clientIp: string;
  status: number;
  decision: string;
  latencyMs: number;
  endpoint: string;
}

/** Longest endpoint kept in the set; longer paths are cut (the set measures variety, not detail). */
const MAX_ENDPOINT_LENGTH = 200;

export class TrafficAggregator {
  readonly #maxEntries: number;
  #entries = new Map<string, AggregateEntry>();
  #dropped = 0;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Events that could not be counted because the table of entries was full. */
  get dropped(): number {
    return this.#dropped;
  }

  add(event: AggregateEvent): void {
    const bucketMs = bucketStart(event.time);
    const entity: Entity =
      event.userId !== undefined ? { kind: 'user', id: event.userId } : { kind: 'ip', id: event.clientIp };
    const entry = this.#entry(bucketMs, entity);
    if (!entry) return;
    const c = entry.counts;
    c.requests++;
    if (event.status >= 400 && event.status < 500) c.errors4xx++;
    else if (event.status >= 500) c.errors5xx++;
    if (event.decision === 'unauthenticated') c.authFailures++;
    else if (event.decision === 'limited') c.rateLimited++;
    c.latencyMsSum += Math.round(event.latencyMs);
    if (entry.endpoints.size < MAX_ENDPOINTS_PER_BUCKET && event.endpoint !== '') {
      entry.endpoints.add(event.endpoint.slice(0, MAX_ENDPOINT_LENGTH));
    }
  }

  /** Puts back entries whose write failed, merged into whatever arrived meanwhile. */
  restore(entries: Iterable<AggregateEntry>): void {
    for (const failed of entries) {
      const entry = this.#entry(failed.bucketMs, failed.entity);
      if (!entry) continue;
      for (const field of NUMERIC_AGGREGATE_FIELDS) {
        entry.counts[field] += failed.counts[field];
      }
      for (const e of failed.endpoints)
        if (entry.endpoints.size < MAX_ENDPOINTS_PER_BUCKET) entry.endpoints.add(e);
      entry.failedFlushes = Math.max(entry.failedFlushes, failed.failedFlushes);
    }
  }

  /** Takes every entry out; the aggregator starts empty. */
  drain(): AggregateEntry[] {
    const entries = [...this.#entries.values()];
    this.#entries = new Map();
    return entries;
  }

  #entry(bucketMs: number, entity: Entity): AggregateEntry | undefined {
    const key = `${bucketMs}|${entity.kind}|${entity.id}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= this.#maxEntries) {
        this.#dropped++;
        return undefined;
      }
      entry = { bucketMs, entity, counts: emptyCounts(), endpoints: new Set(), failedFlushes: 0 };
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
