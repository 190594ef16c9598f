// Builds detector inputs for tests: a clock, entities, and per-bucket counts written by hour or bucket.
import type { AggregateCounts } from '../../core/shared/aggregate-record';
import { BUCKET_MS } from '../../core/shared/buckets';
import type { Entity } from '../../core/shared/entity';
import { loadConfig } from '../../core/config/load';
import { inputFromRecords, type BucketRecord, type DetectInput } from '../../lambda/anomaly-detector/input';
import type { DetectorSettings } from '../../lambda/anomaly-detector/settings';

/** Wednesday 2025-03-12 12:00 UTC: a run at a bucket boundary. */
export const NOW = Date.UTC(2025, 2, 12, 12, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function settings(overrides: Record<string, unknown> = {}): DetectorSettings {
  return loadConfig({ scope: 'detector', noEnvFile: true, env: {}, explicit: overrides }).values;
}

type Counts = Partial<Omit<AggregateCounts, 'endpoints'>> & { endpoints?: number };

export class Traffic {
  readonly records: BucketRecord[] = [];

  /** `counts` in the bucket that starts `msBeforeNow` before NOW (15 * 60_000 = the newest bucket). */
  bucket(entity: Entity, msBeforeNow: number, counts: Counts): this {
    this.records.push({
      entity,
      bucketStart: NOW - msBeforeNow,
      counts: {
        requests: counts.requests ?? 0,
        errors4xx: counts.errors4xx ?? 0,
        errors5xx: counts.errors5xx ?? 0,
        authFailures: counts.authFailures ?? 0,
        rateLimited: counts.rateLimited ?? 0,
        blocked: counts.blocked ?? 0,
        endpoints: counts.endpoints ?? (counts.requests ? 3 : 0),
      },
    });
    return this;
  }

  /** `perHour` requests spread over the 4 buckets of the hour starting `hoursBeforeNow` hours before NOW. */
  hour(entity: Entity, hoursBeforeNow: number, perHour: number, extra: Omit<Counts, 'requests'> = {}): this {
    for (let b = 0; b < 4; b++) {
      const share = Math.floor(perHour / 4) + (b < perHour % 4 ? 1 : 0);
      if (share > 0)
        this.bucket(entity, hoursBeforeNow * HOUR - b * BUCKET_MS, { ...extra, requests: share });
    }
    return this;
  }

  /** The same hourly rate over a span of hours before NOW (from `fromHour` back to `toHour`). */
  hours(entity: Entity, fromHour: number, toHour: number, perHour: number): this {
    for (let h = fromHour; h <= toHour; h++) this.hour(entity, h, perHour);
    return this;
  }

  /**
   * `perHour` on each of `days` earlier days, over every hour a run reads of them (as `population`
   * writes them): the current hour's clock time ±2 h, and the references of today's windows.
   */
  seasonal(entity: Entity, days: number, perHour: number): this {
    for (let d = 1; d <= days; d++) this.hours(entity, d * 24 - 1, d * 24 + 4, perHour);
    return this;
  }

  input(): DetectInput {
    return inputFromRecords(this.records);
  }
}

/**
 * A background population so that population statistics (prior, factor, dispersion) exist. Its
 * earlier days hold every hour a run reads of them (the current hour's clock time ±2 h, and the
 * references of today's windows before that), so that the population is as busy as usual at any
 * of those hours today.
 */
export function population(traffic: Traffic, count: number, options: { factor?: number } = {}): Traffic {
  for (let i = 0; i < count; i++) {
    const user: Entity = { kind: 'user', id: `pop${i}` };
    const rate = 8 + (i % 20) * 3;
    for (let d = 1; d <= 7; d++) traffic.hours(user, d * 24 - 1, d * 24 + 4, rate);
    traffic.hours(user, 2, 9, rate);
    traffic.hour(user, 1, Math.round(rate * (options.factor ?? 1)));
  }
  return traffic;
}
