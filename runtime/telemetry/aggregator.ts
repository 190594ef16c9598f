// Traffic aggregates in memory, pure: per 15-minute UTC bucket and entity (the user, or the client
// IP when there is no user), the counters the detector reads. Taken out for writing when due (see
// write-schedule.ts) or all at once; bounded, with a drop counter, so a flood of distinct IPs cannot
// grow memory without limit.
import type { AggregateCounts } from '../../core/shared/aggregate-record';
import {
  emptyCounts,
  MAX_ENDPOINTS_PER_BUCKET,
  NUMERIC_AGGREGATE_FIELDS,
} from '../../core/shared/aggregate-record';
import { bucketStart } from '../../core/shared/buckets';
import type { Entity } from '../../core/shared/entity';
import { HOT_WINDOW_REQUESTS, isDue } from './write-schedule';

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

/** An entry and what the write schedule needs to know about it; it outlives its writes until its bucket is over. */
interface Slot extends AggregateEntry {
  window: number;
  written: number;
  hot: boolean;
}

/** A bucket's entries, users and IPs apart: keyed by the id itself, no key string built per request. */
type BucketEntries = Record<Entity['kind'], Map<string, Slot>>;

export class TrafficAggregator {
  readonly #maxEntries: number;
  #buckets = new Map<number, BucketEntries>();
  #size = 0;
  #dropped = 0;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#size;
  }

  /** Events that could not be counted because the table of entries was full. */
  get dropped(): number {
    return this.#dropped;
  }

  add(event: AggregateEvent): void {
    const bucketMs = bucketStart(event.time);
    const entry =
      event.userId !== undefined
        ? this.#entry(bucketMs, 'user', event.userId)
        : this.#entry(bucketMs, 'ip', event.clientIp);
    if (!entry) return;
    entry.window++;
    const c = entry.counts;
    c.requests++;
    if (event.status >= 400 && event.status < 500) c.errors4xx++;
    else if (event.status >= 500) c.errors5xx++;
    if (event.decision === 'unauthenticated') c.authFailures++;
    else if (event.decision === 'limited') c.rateLimited++;
    else if (event.decision === 'blocked') c.blocked++;
    c.latencyMsSum += Math.round(event.latencyMs);
    // A blocked client's paths say nothing about what it can reach (every answer is the same 403);
    // counting them would read as endpoint enumeration when the block ends.
    if (
      entry.endpoints.size < MAX_ENDPOINTS_PER_BUCKET &&
      event.endpoint !== '' &&
      event.decision !== 'blocked'
    ) {
      entry.endpoints.add(event.endpoint.slice(0, MAX_ENDPOINT_LENGTH));
    }
  }

  /** Puts back entries whose write failed, merged into whatever arrived meanwhile. */
  restore(entries: Iterable<AggregateEntry>): void {
    for (const failed of entries) {
      const entry = this.#entry(failed.bucketMs, failed.entity.kind, failed.entity.id);
      if (!entry) {
        // #entry counted one; the entry held all of these.
        this.#dropped += failed.counts.requests - 1;
        continue;
      }
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
    const entries: AggregateEntry[] = [];
    for (const slot of this.#slots()) if (slot.counts.requests > 0) entries.push(toEntry(slot));
    this.#buckets = new Map();
    this.#size = 0;
    return entries;
  }

  /**
   * Takes out what is due at a flush at `nowMs` (write-schedule.ts): every entry of a bucket that is
   * over, and the open buckets' hot entities. Starts a new flush window.
   */
  takeDue(nowMs: number): AggregateEntry[] {
    const current = bucketStart(nowMs);
    const due: AggregateEntry[] = [];
    for (const slot of this.#slots()) {
      if (slot.window >= HOT_WINDOW_REQUESTS) slot.hot = true;
      const pending = slot.counts.requests;
      if (isDue({ ...slot, pending }, current)) {
        due.push(toEntry(slot));
        slot.written += pending;
        slot.counts = emptyCounts();
        slot.endpoints = new Set();
        slot.failedFlushes = 0;
      }
      slot.window = 0;
      if (slot.bucketMs < current && slot.counts.requests === 0) {
        this.#buckets.get(slot.bucketMs)![slot.entity.kind].delete(slot.entity.id);
        this.#size--;
      }
    }
    for (const [bucketMs, entries] of this.#buckets) {
      if (entries.user.size === 0 && entries.ip.size === 0) this.#buckets.delete(bucketMs);
    }
    return due;
  }

  *#slots(): Generator<Slot> {
    for (const entries of this.#buckets.values()) {
      yield* entries.user.values();
      yield* entries.ip.values();
    }
  }

  /** Entries the aggregator can hold. */
  get capacity(): number {
    return this.#maxEntries;
  }

  #entry(bucketMs: number, kind: Entity['kind'], id: string): Slot | undefined {
    let bucket = this.#buckets.get(bucketMs);
    if (!bucket) {
      bucket = { user: new Map(), ip: new Map() };
      this.#buckets.set(bucketMs, bucket);
    }
    const entries = bucket[kind];
    let entry = entries.get(id);
    if (!entry) {
      if (this.#size >= this.#maxEntries) {
        this.#dropped++;
        return undefined;
      }
      entry = {
        bucketMs,
        entity: { kind, id } as Entity,
        counts: emptyCounts(),
        endpoints: new Set(),
        failedFlushes: 0,
        window: 0,
        written: 0,
        hot: false,
      };
      entries.set(id, entry);
      this.#size++;
    }
    return entry;
  }
}

function toEntry(slot: Slot): AggregateEntry {
  return {
    bucketMs: slot.bucketMs,
    entity: slot.entity,
    counts: slot.counts,
    endpoints: slot.endpoints,
    failedFlushes: slot.failedFlushes,
  };
}
