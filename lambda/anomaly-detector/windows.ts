// Sums the raw buckets into the windows the signals compare: the current hour and its last bucket,
// the eight hours before it, and the same hour (±1 h) on earlier days. Loops run bucket by bucket
// over whole columns, so a run touches each needed value once and never builds per-entity objects.
import { BUCKET_MS, BUCKETS_PER_DAY, BUCKETS_PER_HOUR, bucketStart } from '../../src/shared/buckets';
import type { DetectInput, InputBucket } from './input';

/** Hours compared by the original: the current one and the 8 before it. */
export const RECENT_HOURS = 9;
const RECENT_BUCKETS = RECENT_HOURS * BUCKETS_PER_HOUR;
/** The same hour on an earlier day is searched within ±1 hour, for people who start late or early. */
const SEASONAL_SLACK_BUCKETS = BUCKETS_PER_HOUR;
export const SEASONAL_SPAN = BUCKETS_PER_HOUR + 2 * SEASONAL_SLACK_BUCKETS;

/** Per-entity window sums, one array slot per entity. "Counted" requests exclude 5xx answers. */
export interface Windows {
  /** Start of the current hour (the 4 complete buckets before `now`). */
  currentHourStart: number;
  /** Counted requests per hour: [0] is the current hour, [1..8] the baseline, newest first. */
  hours: Float64Array[];
  /** Counted requests in the newest 1, 2 and 3 complete buckets. */
  lastBuckets: [Float64Array, Float64Array, Float64Array];
  /** Oldest recent bucket (0..35, 35 = newest) with any request; -1 when none. */
  firstActiveBucket: Int16Array;
  /** Median over earlier active days of the best-aligned hour (within ±1 h) on that day. */
  seasonalLevel: Float64Array;
  /** Earlier days with any counted request within ±1 h of this hour. */
  seasonalDays: Uint8Array;
  /** Over those active days' ±1 h windows: sum of counted requests per bucket, and half the sum of squared successive differences (a variance estimate that ignores slow trends). */
  seasonalBucketSum: Float64Array;
  seasonalBucketSumSquares: Float64Array;
  /** Median over earlier days of the same clock hour (not best-aligned): the usual level, unbiased. */
  seasonalTypical: Float64Array;
  /** Median over earlier active days of the hour before this one (the previous hour's usual level). */
  seasonalPreviousHour: Float64Array;
  /** Mean and variance over active days of the best-aligned hour (variance 0 with fewer than 2 days). */
  seasonalHourMean: Float64Array;
  seasonalHourVariance: Float64Array;
  /** Failed authentications: current hour, newest bucket, the 8 baseline hours, same hour on earlier days. */
  authHour: Float64Array;
  authLastBucket: Float64Array;
  authBaseline: Float64Array;
  authSeasonalLevel: Float64Array;
  /** All requests and 4xx other than 401/403/429 in the current hour. */
  requestsHour: Float64Array;
  other4xxHour: Float64Array;
  /** Most distinct endpoints seen in one bucket of the current hour. */
  maxEndpoints: Float64Array;
  /** Smallest share of rate-limited requests over the current hour's buckets (0 if one is idle). */
  rateLimitedMinShare: Float64Array;
  rateLimitedHour: Float64Array;
}

/** Start of the current hour window for a run at `now`: the four complete buckets before it. */
export function currentHourStart(now: number): number {
  return bucketStart(now) - BUCKETS_PER_HOUR * BUCKET_MS;
}

/** Every bucket a run at `now` reads, oldest first: what the handler queries, one partition each. */
export function requiredBucketStarts(now: number, historyDays: number): number[] {
  const c = currentHourStart(now);
  const starts = new Set<number>();
  for (let i = 0; i < RECENT_BUCKETS; i++)
    starts.add(c - (RECENT_BUCKETS - BUCKETS_PER_HOUR - i) * BUCKET_MS);
  for (let d = 1; d <= historyDays; d++) {
    const first = c - d * BUCKETS_PER_DAY * BUCKET_MS - SEASONAL_SLACK_BUCKETS * BUCKET_MS;
    for (let i = 0; i < SEASONAL_SPAN; i++) starts.add(first + i * BUCKET_MS);
  }
  return [...starts].sort((a, b) => a - b);
}

type Row = InputBucket | undefined;

function seasonalLevels(
  rowsByDay: Row[][],
  n: number,
  value: (row: InputBucket, e: number) => number,
  level: Float64Array,
  activeDays: Uint8Array | undefined,
  moments?: {
    sum: Float64Array;
    sumSquares: Float64Array;
    typical: Float64Array;
    previousTypical: Float64Array;
    hourMean: Float64Array;
    hourVariance: Float64Array;
  },
): void {
  const aligned = moments ? rowsByDay.map(() => new Float64Array(n)) : [];
  const previous = moments ? rowsByDay.map(() => new Float64Array(n)) : [];
  const best = rowsByDay.map(() => new Float64Array(n));
  const days = new Uint8Array(n);
  const buffer = new Float64Array(SEASONAL_SPAN);
  for (const [d, rows] of rowsByDay.entries()) {
    if (rows.every((r) => r === undefined)) continue;
    for (let e = 0; e < n; e++) {
      let any = false;
      for (let i = 0; i < SEASONAL_SPAN; i++) {
        const row = rows[i];
        const v = row === undefined ? 0 : value(row, e);
        buffer[i] = v;
        if (v > 0) any = true;
      }
      if (!any) continue;
      if (moments) {
        const o = SEASONAL_SLACK_BUCKETS;
        aligned[d]![e] = buffer[o]! + buffer[o + 1]! + buffer[o + 2]! + buffer[o + 3]!;
        previous[d]![e] = buffer[0]! + buffer[1]! + buffer[2]! + buffer[3]!;
        // Successive differences, not the plain variance: the daily shape (a ramp-up inside the
        // ±1 h window) changes slowly and cancels out, bucket-to-bucket noise does not.
        for (let i = 0; i < SEASONAL_SPAN; i++) {
          moments.sum[e]! += buffer[i]!;
          if (i > 0) moments.sumSquares[e]! += (buffer[i]! - buffer[i - 1]!) ** 2 / 2;
        }
      }
      let sum = buffer[0]! + buffer[1]! + buffer[2]! + buffer[3]!;
      let top = sum;
      for (let i = BUCKETS_PER_HOUR; i < SEASONAL_SPAN; i++) {
        sum += buffer[i]! - buffer[i - BUCKETS_PER_HOUR]!;
        if (sum > top) top = sum;
      }
      days[e]!++;
      best[d]![e] = top;
    }
  }
  // The median over the days the entity was active: one unusual day (yesterday's uncaught abuse, a
  // one-off job) neither excuses nor condemns today, and days off (weekends) do not drag it down.
  const values = new Float64Array(best.length);
  for (let e = 0; e < n; e++) {
    if (days[e] === 0) continue;
    let count = 0;
    for (let d = 0; d < best.length; d++) if (best[d]![e]! > 0) values[count++] = best[d]![e]!;
    const active = values.subarray(0, count).sort();
    level[e] = count % 2 === 1 ? active[count >> 1]! : (active[count / 2 - 1]! + active[count / 2]!) / 2;
    if (moments && count >= 2) {
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < count; i++) {
        sum += active[i]!;
        squares += active[i]! * active[i]!;
      }
      const mean = sum / count;
      moments.hourVariance[e] = (squares - count * mean * mean) / (count - 1);
      moments.hourMean[e] = mean;
    }
  }
  if (activeDays) activeDays.set(days);
  if (moments && aligned.length > 0) {
    const values = new Float64Array(aligned.length);
    for (let e = 0; e < n; e++) {
      if (days[e] === 0) continue;
      for (let d = 0; d < aligned.length; d++) values[d] = aligned[d]![e]!;
      values.sort();
      moments.typical[e] = values[(aligned.length - 1) >> 1]!;
      let count = 0;
      for (let d = 0; d < previous.length; d++) if (best[d]![e]! > 0) values[count++] = previous[d]![e]!;
      const active = values.subarray(0, count).sort();
      moments.previousTypical[e] = count === 0 ? 0 : active[(count - 1) >> 1]!;
    }
  }
}

const counted = (row: InputBucket, e: number) => Math.max(0, row.requests[e]! - row.errors5xx[e]!);
const authFailures = (row: InputBucket, e: number) => row.authFailures[e]!;

export function computeWindows(input: DetectInput, now: number, historyDays: number): Windows {
  const n = input.entities.length;
  const byStart = new Map<number, InputBucket>();
  for (const bucket of input.buckets) byStart.set(bucket.start, bucket);
  const c = currentHourStart(now);
  const f64 = () => new Float64Array(n);
  const w: Windows = {
    currentHourStart: c,
    hours: Array.from({ length: RECENT_HOURS }, f64),
    lastBuckets: [f64(), f64(), f64()],
    firstActiveBucket: new Int16Array(n).fill(-1),
    seasonalLevel: f64(),
    seasonalDays: new Uint8Array(n),
    seasonalBucketSum: f64(),
    seasonalBucketSumSquares: f64(),
    seasonalTypical: f64(),
    seasonalPreviousHour: f64(),
    seasonalHourMean: f64(),
    seasonalHourVariance: f64(),
    authHour: f64(),
    authLastBucket: f64(),
    authBaseline: f64(),
    authSeasonalLevel: f64(),
    requestsHour: f64(),
    other4xxHour: f64(),
    maxEndpoints: f64(),
    rateLimitedMinShare: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
    rateLimitedHour: f64(),
  };
  for (let i = 0; i < RECENT_BUCKETS; i++) {
    const start = c - (RECENT_BUCKETS - BUCKETS_PER_HOUR - i) * BUCKET_MS;
    const row = byStart.get(start);
    const hourIndex = RECENT_HOURS - 1 - Math.floor(i / BUCKETS_PER_HOUR);
    const inCurrentHour = hourIndex === 0;
    const isLast = i === RECENT_BUCKETS - 1;
    const fromEnd = RECENT_BUCKETS - 1 - i;
    if (!row) {
      if (inCurrentHour) w.rateLimitedMinShare.fill(0);
      continue;
    }
    const hour = w.hours[hourIndex]!;
    const { requests, errors5xx, errors4xx, authFailures: auth, rateLimited, endpoints } = row;
    for (let e = 0; e < n; e++) {
      const req = requests[e]!;
      const value = Math.max(0, req - errors5xx[e]!);
      hour[e]! += value;
      if (req > 0 && w.firstActiveBucket[e] === -1) w.firstActiveBucket[e] = i;
      const failures = auth[e]!;
      if (!inCurrentHour) {
        w.authBaseline[e]! += failures;
        continue;
      }
      w.authHour[e]! += failures;
      w.requestsHour[e]! += req;
      const limited = rateLimited[e]!;
      w.rateLimitedHour[e]! += limited;
      w.other4xxHour[e]! += Math.max(0, errors4xx[e]! - failures - limited);
      if (endpoints[e]! > w.maxEndpoints[e]!) w.maxEndpoints[e] = endpoints[e]!;
      const share = req > 0 ? limited / req : 0;
      if (share < w.rateLimitedMinShare[e]!) w.rateLimitedMinShare[e] = share;
      for (let k = fromEnd; k < 3; k++) w.lastBuckets[k]![e]! += value;
      if (isLast) w.authLastBucket[e] = failures;
    }
  }
  const rowsByDay: Row[][] = [];
  for (let d = 1; d <= historyDays; d++) {
    const first = c - d * BUCKETS_PER_DAY * BUCKET_MS - SEASONAL_SLACK_BUCKETS * BUCKET_MS;
    rowsByDay.push(Array.from({ length: SEASONAL_SPAN }, (_, i) => byStart.get(first + i * BUCKET_MS)));
  }
  seasonalLevels(rowsByDay, n, counted, w.seasonalLevel, w.seasonalDays, {
    sum: w.seasonalBucketSum,
    sumSquares: w.seasonalBucketSumSquares,
    typical: w.seasonalTypical,
    previousTypical: w.seasonalPreviousHour,
    hourMean: w.seasonalHourMean,
    hourVariance: w.seasonalHourVariance,
  });
  seasonalLevels(rowsByDay, n, authFailures, w.authSeasonalLevel, undefined);
  return w;
}
