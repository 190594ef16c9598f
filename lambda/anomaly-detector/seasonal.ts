// The same hour on earlier days: per entity, the usual level (the median day of the best-aligned
// hour within ±2 h), its spread, the 15-minute noise within a day, and the usual ratio of each of
// today's windows to its reference.
import { BUCKETS_PER_HOUR } from '../../core/shared/buckets';
import type { InputBucket } from './input';
import {
  DAY_ROW,
  HOUR_END,
  LEAD_BUCKETS,
  OFFSETS,
  SEASONAL_SLACK_BUCKETS,
  SEASONAL_SPAN,
  TODAY_REFERENCE,
} from './window-layout';

/** A local copy: imported bindings are getters once transpiled, too slow for the inner loops. */
const HOUR = BUCKETS_PER_HOUR;

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

/**
 * Fewer active earlier days than this at the hour, and its level is the busiest of them rather than
 * the median: a few days are often a new user's first days, or weekends, and the median of a
 * Saturday, a Sunday and a half first day would make an ordinary Monday look like a surge.
 */
const FEW_DAYS = 5;

export type Row = InputBucket | undefined;

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

export interface SeasonalOut {
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
  busier?: Float64Array;
}

export function seasonalLevels(
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
  // The second-busiest active day (the busiest with fewer than 3): what the entity sends at this
  // hour on its busier days, such as an evening it works into on some days, not one odd day.
  const secondHighest = (offset: number, e: number) => {
    let first = 0;
    let second = 0;
    let count = 0;
    for (let d = 0; d < dayCount; d++) {
      if (!activeDay[d]![e]) continue;
      count++;
      const v = hourAt[d]![offset]![e]!;
      if (v > first) {
        second = first;
        first = v;
      } else if (v > second) second = v;
    }
    return count < 3 ? first : second;
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
    if (out.busier) {
      let busier = 0;
      for (let k = 0; k < OFFSETS; k++) busier = Math.max(busier, secondHighest(k, e));
      out.busier[e] = busier;
    }
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
export function sumRange(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  return sum;
}
