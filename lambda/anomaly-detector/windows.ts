// Sums the raw buckets into the windows the signals compare: the current hour and its last bucket,
// the eight hours before it, the same hour (±2 h, and the hour before that span) on earlier days,
// and the windows judged against today's level with their references. Loops run bucket by bucket
// over whole columns, so a run touches each needed value once and never builds per-entity objects.
import { BUCKET_MS, BUCKETS_PER_HOUR } from '../../core/shared/buckets';
import type { DetectInput, InputBucket } from './input';
import { seasonalLevels, type PairSums, type Row, type TodayWindow } from './seasonal';
import {
  currentHourStart,
  dayRowStart,
  DAY_ROW,
  RECENT_BUCKETS,
  RECENT_HOURS,
  TODAY_REFERENCE,
  TODAY_WINDOWS,
} from './window-layout';

export {
  currentHourStart,
  requiredBucketStarts,
  RECENT_HOURS,
  SEASONAL_SPAN,
  TODAY_REFERENCE,
  TODAY_WINDOWS,
  type TodayWindowLength,
} from './window-layout';
export type { PairSums, TodayWindow } from './seasonal';

/** A local copy: imported bindings are getters once transpiled, too slow for the inner loops. */
const HOUR = BUCKETS_PER_HOUR;

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
  /**
   * The usual level of this hour: for each alignment within ±2 h, the median over earlier active
   * days of that hour's count (the busiest day's, with fewer than FEW_DAYS days); then the highest of
   * these. The median first removes day-to-day noise, so the highest alignment reflects the daily
   * shape (an early start), not one noisy day.
   */
  seasonalLevel: Float64Array;
  /** Earlier days with any counted request within ±2 h of this hour. */
  seasonalDays: Uint8Array;
  /** Over those active days' ±2 h windows: sum of counted requests per bucket, and half the sum of squared successive differences (a variance estimate that ignores slow trends). */
  seasonalBucketSum: Float64Array;
  seasonalBucketSumSquares: Float64Array;
  /** Over the same buckets, the sums behind the 15-minute φ within a day (see {@link PairSums}). */
  seasonalPairs: PairSums;
  /** Median over earlier active days of the same clock hour (not aligned): the usual level, unbiased. */
  seasonalTypical: Float64Array;
  /** Median over earlier active days of the hour before this one (the previous hour's usual level). */
  seasonalPreviousHour: Float64Array;
  /**
   * The level of this hour on the entity's busier days: for each alignment within ±2 h, the
   * second-busiest earlier active day's count (the busiest with fewer than 3 days); then the highest.
   */
  seasonalBusier: Float64Array;
  /** Robust spread over active days of the hour-long alignment that sets {@link seasonalLevel}. */
  seasonalLevelSpread: Float64Array;
  /** Robust spread over active days of the same clock hour: 1.4826 × the median absolute deviation (0 with fewer than 3 days). */
  seasonalHourSpread: Float64Array;
  /** Per TODAY_WINDOWS entry: the window today, its reference, and their usual ratio. */
  todayWindows: TodayWindow[];
  /** Failed authentications: current hour, newest bucket, the 8 baseline hours, same hour on earlier days. */
  authHour: Float64Array;
  authLastBucket: Float64Array;
  authBaseline: Float64Array;
  authSeasonalLevel: Float64Array;
  /** Requests (5xx included, those refused by a block not) and 4xx other than 401/403/429 and blocks, in the current hour. */
  requestsHour: Float64Array;
  other4xxHour: Float64Array;
  /** Most distinct endpoints seen in one bucket of the current hour. */
  maxEndpoints: Float64Array;
  /** Smallest share of rate-limited requests over the current hour's buckets (0 if one is idle). */
  rateLimitedMinShare: Float64Array;
  rateLimitedHour: Float64Array;
}

/** Requests judged as traffic: not the upstream's 5xx, not those refused because of a block. */
const counted = (row: InputBucket, e: number) =>
  Math.max(0, row.requests[e]! - row.errors5xx[e]! - (row.blocked === undefined ? 0 : row.blocked[e]!));
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
    seasonalPairs: { excess: f64(), scale: f64(), excessSquares: f64(), cross: f64(), scaleSquares: f64() },
    seasonalTypical: f64(),
    seasonalPreviousHour: f64(),
    seasonalHourSpread: f64(),
    todayWindows: TODAY_WINDOWS.map((buckets) => ({
      buckets,
      current: f64(),
      reference: f64(),
      ratio: new Float64Array(n).fill(Number.NaN),
      excess: f64(),
      scale: f64(),
      predicted: f64(),
      currentByDay: Array.from({ length: historyDays }, () => undefined),
      referenceByDay: Array.from({ length: historyDays }, () => undefined),
    })),
    seasonalLevelSpread: f64(),
    seasonalBusier: f64(),
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
    const start = c - (RECENT_BUCKETS - HOUR - i) * BUCKET_MS;
    const row = byStart.get(start);
    const hourIndex = RECENT_HOURS - 1 - Math.floor(i / HOUR);
    const inCurrentHour = hourIndex === 0;
    const isLast = i === RECENT_BUCKETS - 1;
    const fromEnd = RECENT_BUCKETS - 1 - i;
    // The today-windows (and their references) this bucket belongs to.
    const todaySums: Float64Array[] = [];
    for (const tw of w.todayWindows) {
      if (fromEnd < tw.buckets) todaySums.push(tw.current);
      else if (fromEnd < tw.buckets + TODAY_REFERENCE) todaySums.push(tw.reference);
    }
    if (!row) {
      if (inCurrentHour) w.rateLimitedMinShare.fill(0);
      continue;
    }
    const hour = w.hours[hourIndex]!;
    const { requests, errors5xx, errors4xx, authFailures: auth, rateLimited, endpoints, blocked } = row;
    for (let e = 0; e < n; e++) {
      // Requests refused by a block are left out of everything judged: they would otherwise raise
      // the entity's own baseline (and its 4xx share) for the hours after the block ends.
      const refused = blocked === undefined ? 0 : blocked[e]!;
      const req = Math.max(0, requests[e]! - refused);
      const value = Math.max(0, req - errors5xx[e]!);
      hour[e]! += value;
      for (const sums of todaySums) sums[e]! += value;
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
      w.other4xxHour[e]! += Math.max(0, errors4xx[e]! - refused - failures - limited);
      if (endpoints[e]! > w.maxEndpoints[e]!) w.maxEndpoints[e] = endpoints[e]!;
      const share = req > 0 ? limited / req : 0;
      if (share < w.rateLimitedMinShare[e]!) w.rateLimitedMinShare[e] = share;
      for (let k = fromEnd; k < 3; k++) w.lastBuckets[k]![e]! += value;
      if (isLast) w.authLastBucket[e] = failures;
    }
  }
  const rowsByDay: Row[][] = [];
  for (let d = 1; d <= historyDays; d++) {
    const first = dayRowStart(c, d);
    rowsByDay.push(Array.from({ length: DAY_ROW }, (_, i) => byStart.get(first + i * BUCKET_MS)));
  }
  seasonalLevels(rowsByDay, n, counted, {
    level: w.seasonalLevel,
    days: w.seasonalDays,
    sum: w.seasonalBucketSum,
    sumSquares: w.seasonalBucketSumSquares,
    pairs: w.seasonalPairs,
    typical: w.seasonalTypical,
    previousTypical: w.seasonalPreviousHour,
    today: w.todayWindows,
    hourSpread: w.seasonalHourSpread,
    levelSpread: w.seasonalLevelSpread,
    busier: w.seasonalBusier,
  });
  seasonalLevels(rowsByDay, n, authFailures, { level: w.authSeasonalLevel });
  return w;
}
