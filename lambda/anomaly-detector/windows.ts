// Sums the raw buckets into the windows the signals compare: the current hour and its last bucket,
// the eight hours before it, the same hour (±2 h, and the hour before that span) on earlier days,
// and the windows judged against today's level with their references. Loops run bucket by bucket
// over whole columns, so a run touches each needed value once and never builds per-entity objects.
import { BUCKET_MS, BUCKETS_PER_DAY, BUCKETS_PER_HOUR, bucketStart } from '../../core/shared/buckets';
import type { DetectInput, InputBucket } from './input';

/** A local copy: imported bindings are getters once transpiled, too slow for the inner loops. */
const HOUR = BUCKETS_PER_HOUR;
/** Hours compared by the original: the current one and the 8 before it. */
export const RECENT_HOURS = 9;
const RECENT_BUCKETS = RECENT_HOURS * BUCKETS_PER_HOUR;
/**
 * The same hour on an earlier day is searched within ±2 hours: people start their day up to an hour
 * or two early or late, and a day that starts early must be compared with the hours that usually
 * follow the start, not with the idle hour before it.
 */
const SEASONAL_SLACK_BUCKETS = 2 * BUCKETS_PER_HOUR;
export const SEASONAL_SPAN = BUCKETS_PER_HOUR + 2 * SEASONAL_SLACK_BUCKETS;
/** Hour-long alignments tried inside the span. */
const OFFSETS = SEASONAL_SPAN - BUCKETS_PER_HOUR + 1;

/**
 * Windows judged against today's level, in buckets ending with the newest complete one (15 minutes
 * to 2 hours), each against the TODAY_REFERENCE buckets just before it: a burst is compared with the
 * same day's traffic before it began, whatever its length, and never with hours it already fills.
 */
export const TODAY_WINDOWS = [1, 2, 3, 4, 6, 8] as const;
export type TodayWindowLength = (typeof TODAY_WINDOWS)[number];
export const TODAY_REFERENCE = 2 * BUCKETS_PER_HOUR;
/** Buckets read on earlier days before the ±2 h span: the reference of the longest window. */
const LEAD_BUCKETS =
  TODAY_REFERENCE + Math.max(...TODAY_WINDOWS) - (SEASONAL_SLACK_BUCKETS + BUCKETS_PER_HOUR);
/** Buckets read per earlier day. */
const DAY_ROW = LEAD_BUCKETS + SEASONAL_SPAN;
/** Where, in an earlier day's row, the current hour's clock time ends. */
const HOUR_END = LEAD_BUCKETS + SEASONAL_SLACK_BUCKETS + BUCKETS_PER_HOUR;

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

/**
 * Per entity, over the pairs of successive buckets of one day (a, b): sums of e = (a−b)²/2 − (a+b)/2,
 * what the pair's variance has beyond Poisson, and of s = a·b, its mean squared, so that Σe/Σs
 * estimates the 15-minute overdispersion φ within a day. Unlike the variance over all days (the sum
 * of squares above, against the mean of all days) it is not raised by days of different levels: a
 * weekend among weekdays, a busy day. Also Σe², Σe·s and Σs², for the spread of that estimate.
 */
export interface PairSums {
  excess: Float64Array;
  scale: Float64Array;
  excessSquares: Float64Array;
  cross: Float64Array;
  scaleSquares: Float64Array;
}

/** One of TODAY_WINDOWS, per entity. */
export interface TodayWindow {
  /** Buckets in the window, ending with the newest complete one. */
  buckets: number;
  /** Counted requests today in the window, and in the TODAY_REFERENCE buckets before it. */
  current: Float64Array;
  reference: Float64Array;
  /**
   * The window's usual size relative to its reference: their sums over the earlier active days at
   * the same clock time, divided (NaN when the reference was always idle). Each day weighs by its
   * own volume, so a quiet weekend or a busy day changes both sums alike and not the ratio; what
   * today's level predicts for the window is this ratio times today's reference.
   */
  ratio: Float64Array;
  /**
   * How well that ratio predicted each earlier day's window from the same day's reference: the sum
   * over active days of (error² − predicted), the variance beyond Poisson, and of predicted², its
   * scale (their quotient is the overdispersion φ of the prediction).
   */
  excess: Float64Array;
  scale: Float64Array;
  /** The sum over active days of predicted: ratio × this is the reference's Poisson part of the error. */
  predicted: Float64Array;
  /**
   * Per earlier day (index d-1, undefined when nothing was stored that day), each entity's count in
   * the window and in its reference at the same clock time: how busy the population usually is in
   * them (the population factors, baseline.ts).
   */
  currentByDay: Array<Float64Array | undefined>;
  referenceByDay: Array<Float64Array | undefined>;
}

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

/**
 * Fewer active earlier days than this at the hour, and its level is the busiest of them rather than
 * the median: a few days are often a new user's first days, or weekends, and the median of a
 * Saturday, a Sunday and a half first day would make an ordinary Monday look like a surge.
 */
const FEW_DAYS = 5;

/** First bucket read on the earlier day `d` days before the current hour `c`. */
function dayRowStart(c: number, d: number): number {
  return c - d * BUCKETS_PER_DAY * BUCKET_MS - (SEASONAL_SLACK_BUCKETS + LEAD_BUCKETS) * BUCKET_MS;
}

type Row = InputBucket | undefined;

/** Median of the first `count` values (a handful: one per earlier day); reorders them. */
function median(values: Float64Array, count: number): number {
  if (count === 0) return 0;
  for (let i = 1; i < count; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
  return count % 2 === 1 ? values[count >> 1]! : (values[count / 2 - 1]! + values[count / 2]!) / 2;
}

interface SeasonalOut {
  level: Float64Array;
  days?: Uint8Array;
  sum?: Float64Array;
  sumSquares?: Float64Array;
  pairs?: PairSums;
  typical?: Float64Array;
  previousTypical?: Float64Array;
  today?: TodayWindow[];
  hourSpread?: Float64Array;
  levelSpread?: Float64Array;
}

function seasonalLevels(
  rowsByDay: Row[][],
  n: number,
  value: (row: InputBucket, e: number) => number,
  out: SeasonalOut,
): void {
  const dayCount = rowsByDay.length;
  // hourAt[d][o][e]: the hour-long sum at alignment o on day d (0 when the entity was idle that day).
  const hourAt = rowsByDay.map(() => Array.from({ length: OFFSETS }, () => new Float64Array(n)));
  const activeDay = rowsByDay.map(() => new Uint8Array(n));
  const days = new Uint8Array(n);
  const row = new Float64Array(DAY_ROW);
  // The ±2 h span; the lead before it is read only by the today-windows' references.
  const buffer = row.subarray(LEAD_BUCKETS);
  const o = SEASONAL_SLACK_BUCKETS;
  for (const [d, rows] of rowsByDay.entries()) {
    if (rows.every((r) => r === undefined)) continue;
    for (const tw of out.today ?? []) {
      tw.currentByDay[d] = new Float64Array(n);
      tw.referenceByDay[d] = new Float64Array(n);
    }
    for (let e = 0; e < n; e++) {
      let any = false;
      for (let i = 0; i < DAY_ROW; i++) {
        const r = rows[i];
        const v = r === undefined ? 0 : value(r, e);
        row[i] = v;
        if (v > 0 && i >= LEAD_BUCKETS) any = true;
      }
      if (!any) continue;
      for (const tw of out.today ?? []) {
        const start = HOUR_END - tw.buckets;
        tw.currentByDay[d]![e] = sumRange(row, start, HOUR_END);
        tw.referenceByDay[d]![e] = sumRange(row, start - TODAY_REFERENCE, start);
      }
      activeDay[d]![e] = 1;
      days[e]!++;
      let sum = buffer[0]! + buffer[1]! + buffer[2]! + buffer[3]!;
      hourAt[d]![0]![e] = sum;
      for (let k = 1; k < OFFSETS; k++) {
        sum += buffer[k + HOUR - 1]! - buffer[k - 1]!;
        hourAt[d]![k]![e] = sum;
      }
      const { sum: spanSum, sumSquares, pairs } = out;
      if (spanSum && sumSquares && pairs) {
        // Successive differences, not the plain variance: the daily shape (a ramp-up inside the
        // window) changes slowly and cancels out, bucket-to-bucket noise does not.
        spanSum[e]! += buffer[0]!;
        for (let i = 1; i < SEASONAL_SPAN; i++) {
          const a = buffer[i - 1]!;
          const b = buffer[i]!;
          const half = (a - b) ** 2 / 2;
          spanSum[e]! += b;
          sumSquares[e]! += half;
          const excess = half - (a + b) / 2;
          const scale = a * b;
          pairs.excess[e]! += excess;
          pairs.scale[e]! += scale;
          pairs.excessSquares[e]! += excess * excess;
          pairs.cross[e]! += excess * scale;
          pairs.scaleSquares[e]! += scale * scale;
        }
      }
    }
  }
  // Medians over the days the entity was active: one unusual day (yesterday's uncaught abuse, a
  // one-off job) neither excuses nor condemns today, and days off (weekends) do not drag it down.
  const values = new Float64Array(dayCount);
  const deviations = new Float64Array(dayCount);
  const activeMedian = (offset: number, e: number) => {
    let count = 0;
    for (let d = 0; d < dayCount; d++) if (activeDay[d]![e]) values[count++] = hourAt[d]![offset]![e]!;
    return median(values, count);
  };
  const activeMax = (offset: number, e: number) => {
    let top = 0;
    for (let d = 0; d < dayCount; d++) if (activeDay[d]![e]) top = Math.max(top, hourAt[d]![offset]![e]!);
    return top;
  };
  for (let e = 0; e < n; e++) {
    if (days[e] === 0) continue;
    let top = 0;
    let topOffset = o;
    const central = days[e]! < FEW_DAYS ? activeMax : activeMedian;
    for (let k = 0; k < OFFSETS; k++) {
      const m = central(k, e);
      if (m > top) {
        top = m;
        topOffset = k;
      }
    }
    out.level[e] = top;
    if (out.levelSpread && days[e]! >= 3) {
      let c = 0;
      for (let d = 0; d < dayCount; d++)
        if (activeDay[d]![e]) deviations[c++] = Math.abs(hourAt[d]![topOffset]![e]! - top);
      out.levelSpread[e] = 1.4826 * median(deviations, c);
    }
    if (out.typical) {
      const m = activeMedian(o, e);
      out.typical[e] = m;
      if (out.hourSpread && days[e]! >= 3) {
        // Median absolute deviation: robust to a weekend or an odd day among the seven.
        let c = 0;
        for (let d = 0; d < dayCount; d++)
          if (activeDay[d]![e]) deviations[c++] = Math.abs(hourAt[d]![o]![e]! - m);
        out.hourSpread[e] = 1.4826 * median(deviations, c);
      }
    }
    if (out.previousTypical) out.previousTypical[e] = activeMedian(o - HOUR, e);
    if (out.today) {
      for (const tw of out.today) {
        let currentSum = 0;
        let referenceSum = 0;
        for (let d = 0; d < dayCount; d++) {
          if (!activeDay[d]![e]) continue;
          currentSum += tw.currentByDay[d]![e]!;
          referenceSum += tw.referenceByDay[d]![e]!;
        }
        if (referenceSum === 0) continue;
        const ratio = currentSum / referenceSum;
        let excess = 0;
        let scale = 0;
        let predictedSum = 0;
        for (let d = 0; d < dayCount; d++) {
          if (!activeDay[d]![e]) continue;
          const predicted = ratio * tw.referenceByDay[d]![e]!;
          const error = tw.currentByDay[d]![e]! - predicted;
          excess += error * error - predicted;
          scale += predicted * predicted;
          predictedSum += predicted;
        }
        tw.ratio[e] = ratio;
        tw.excess[e] = excess;
        tw.scale[e] = scale;
        tw.predicted[e] = predictedSum;
      }
    }
  }
  if (out.days) out.days.set(days);
}

/** Sum of `values` from index `from` up to `to` (exclusive). */
function sumRange(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  return sum;
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
  });
  seasonalLevels(rowsByDay, n, authFailures, { level: w.authSeasonalLevel });
  return w;
}
