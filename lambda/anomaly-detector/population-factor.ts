// How much the population as a whole is above its usual level now: a launch or an event day
// raises everyone's expectation alike, so it flags nobody.
import type { Entity } from '../../core/shared/entity';
import { hasOwnLevel } from './own-level';
import { quantileInPlace } from './stats';
import { TODAY_WINDOWS, type TodayWindowLength, type Windows } from './windows';

/** Fewer established users than this and the population factor is not estimated (stays 1). */
export const MIN_USERS_FOR_FACTOR = 30;
/** Users whose usual level is below this many requests say too little about a population change. */
const MIN_LEVEL_FOR_FACTOR = 8;
/** In the population's total, no user counts for more than this many times its largest earlier day. */
const FACTOR_USER_CAP = 3;

/** The population factors of one run: see `populationFactors`. */
export interface PopulationFactors {
  /** The newest 15, 30, 45 minutes and the whole hour. */
  windows: [number, number, number, number];
  /**
   * Per TODAY_WINDOWS entry: the window's factor, and the population's change from the window's
   * reference (the two hours before it) to the window, their quotient before either is held at 1.
   */
  today: Array<{ window: number; change: number }>;
}

/**
 * How much the population as a whole is above its usual level, in each of today's windows and in
 * its reference (the newest 15, 30, 45 minutes and the hour are among those windows): the
 * established users' total now against the median over earlier days of their total at the same
 * clock time. Totals over hundreds of users have almost no day-to-day noise, and the median day is
 * a working day even after a weekend, so an ordinary hour gives about 1 and a launch that triples
 * traffic about 3 — from its first 15 minutes, so short windows are judged with a factor of their
 * own. Each user's share of today's total is capped, so that a few abusers in a small population
 * cannot raise everyone's expectation. The factors are never below 1; the change from a reference to
 * its window is taken before that (see `PopulationFactors.today`).
 */
export function populationFactors(entities: readonly Entity[], w: Windows): PopulationFactors {
  const n = entities.length;
  const eligible: number[] = [];
  for (let e = 0; e < n; e++) {
    if (entities[e]!.kind === 'user' && hasOwnLevel(w, e) && w.seasonalTypical[e]! >= MIN_LEVEL_FOR_FACTOR)
      eligible.push(e);
  }
  const enough = eligible.length >= MIN_USERS_FOR_FACTOR;
  const factor = (today: Float64Array, byDay: Array<Float64Array | undefined>) =>
    enough
      ? factorOf(
          eligible,
          today,
          byDay.filter((d): d is Float64Array => d !== undefined),
        )
      : 1;
  const today = w.todayWindows.map((tw) => {
    const window = factor(tw.current, tw.currentByDay);
    const reference = factor(tw.reference, tw.referenceByDay);
    // A population below its usual level in the reference is a change too: an upstream outage
    // there (its answers are 5xx, not counted) makes everyone's reference quiet, and the window after
    // it ordinary, or busier with the requests retried.
    return { window: Math.max(1, window), change: reference > 0 ? window / reference : 1 };
  });
  const of = (buckets: TodayWindowLength) => today[TODAY_WINDOWS.indexOf(buckets)]!.window;
  return { windows: [of(1), of(2), of(3), of(4)], today };
}

/** The eligible users' total in `current` against the median day's total in `days` (1 without days). */
function factorOf(eligible: readonly number[], current: Float64Array, days: readonly Float64Array[]): number {
  if (days.length === 0) return 1;
  const totals = new Float64Array(days.length);
  let now = 0;
  for (const e of eligible) {
    let largest = 0;
    for (const [d, day] of days.entries()) {
      const v = day[e]!;
      totals[d]! += v;
      if (v > largest) largest = v;
    }
    now += Math.min(current[e]!, FACTOR_USER_CAP * Math.max(largest, 1));
  }
  const usual = quantileInPlace(totals, days.length, 0.5);
  return usual > 0 ? now / usual : 1;
}
