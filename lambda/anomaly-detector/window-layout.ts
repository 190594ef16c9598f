// Which buckets a run reads: the current hour and the eight before it, and on each earlier day the
// same hour ±2 h with the references of today's windows before it. The handler queries exactly these.
import { BUCKET_MS, BUCKETS_PER_DAY, BUCKETS_PER_HOUR, bucketStart } from '../../core/shared/buckets';

/** Hours compared by the original: the current one and the 8 before it. */
export const RECENT_HOURS = 9;
export const RECENT_BUCKETS = RECENT_HOURS * BUCKETS_PER_HOUR;
/**
 * The same hour on an earlier day is searched within ±2 hours: people start their day up to an hour
 * or two early or late, and a day that starts early must be compared with the hours that usually
 * follow the start, not with the idle hour before it.
 */
export const SEASONAL_SLACK_BUCKETS = 2 * BUCKETS_PER_HOUR;
export const SEASONAL_SPAN = BUCKETS_PER_HOUR + 2 * SEASONAL_SLACK_BUCKETS;
/** Hour-long alignments tried inside the span. */
export const OFFSETS = SEASONAL_SPAN - BUCKETS_PER_HOUR + 1;

/**
 * Windows judged against today's level, in buckets ending with the newest complete one (15 minutes
 * to 2 hours), each against the TODAY_REFERENCE buckets just before it: a burst is compared with the
 * same day's traffic before it began, whatever its length, and never with hours it already fills.
 */
export const TODAY_WINDOWS = [1, 2, 3, 4, 6, 8] as const;
export type TodayWindowLength = (typeof TODAY_WINDOWS)[number];
export const TODAY_REFERENCE = 2 * BUCKETS_PER_HOUR;
/** Buckets read on earlier days before the ±2 h span: the reference of the longest window. */
export const LEAD_BUCKETS =
  TODAY_REFERENCE + Math.max(...TODAY_WINDOWS) - (SEASONAL_SLACK_BUCKETS + BUCKETS_PER_HOUR);
/** Buckets read per earlier day. */
export const DAY_ROW = LEAD_BUCKETS + SEASONAL_SPAN;
/** Where, in an earlier day's row, the current hour's clock time ends. */
export const HOUR_END = LEAD_BUCKETS + SEASONAL_SLACK_BUCKETS + BUCKETS_PER_HOUR;

/** Start of the current hour window for a run at `now`: the four complete buckets before it. */
export function currentHourStart(now: number): number {
  return bucketStart(now) - BUCKETS_PER_HOUR * BUCKET_MS;
}

/** Every bucket a run at `now` reads, oldest first: what the handler queries, one partition each. */
export function requiredBucketStarts(now: number, historyDays: number): number[] {
  const starts = new Set<number>();
  // The run before this one is replayed too (see detect): its buckets are one earlier.
  addBucketStarts(starts, now, historyDays);
  addBucketStarts(starts, now - BUCKET_MS, historyDays);
  return [...starts].sort((a, b) => a - b);
}

function addBucketStarts(starts: Set<number>, now: number, historyDays: number): void {
  const c = currentHourStart(now);
  for (let i = 0; i < RECENT_BUCKETS; i++)
    starts.add(c - (RECENT_BUCKETS - BUCKETS_PER_HOUR - i) * BUCKET_MS);
  for (let d = 1; d <= historyDays; d++) {
    const first = dayRowStart(c, d);
    for (let i = 0; i < DAY_ROW; i++) starts.add(first + i * BUCKET_MS);
  }
}

/** First bucket read on the earlier day `d` days before the current hour `c`. */
export function dayRowStart(c: number, d: number): number {
  return c - d * BUCKETS_PER_DAY * BUCKET_MS - (SEASONAL_SLACK_BUCKETS + LEAD_BUCKETS) * BUCKET_MS;
}
