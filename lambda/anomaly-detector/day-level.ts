// The day-level expectation: each window as today's two hours before it predict it, so that a quiet
// day is judged as quiet and a busy one as busy.
import { BUCKETS_PER_HOUR } from '../../core/shared/buckets';
import type { Entity } from '../../core/shared/entity';
import { MIN_DAYS_FOR_POOL } from './dispersion';
import { hasOwnLevel } from './own-level';
import type { PopulationFactors } from './population-factor';
import { TODAY_REFERENCE, type Windows } from './windows';

/**
 * Today's level may lower the expectation to this share of the usual one, no further: quiet previous
 * hours can also mean a day that started late (or a long lunch), after which the current hour is
 * ordinary; a lower floor flags such days (the evaluation's benign side shows it).
 */
export const TODAY_FLOOR = 0.7;
/** Requests added to today's two previous hours, so that a few requests do not set the level alone. */
export const TODAY_PSEUDO_COUNT = 2;
/**
 * The day-level expectation applies on the plateau of the entity's day: the clock hour usually at
 * least this share of its best-aligned level (not a morning ramp or an evening fade, where days
 * differ by when they start, not by how busy they are), and both previous hours active today.
 */
export const PLATEAU_SHARE = 0.6;

/**
 * The day-level expectation of one window (the newest `buckets` buckets): its usual ratio to the
 * two hours before it (`TodayWindow.ratio`) times today's two hours before it, so that a quiet day
 * is judged as quiet and a busy one as busy; never below TODAY_FLOOR of the usual expectation (a day
 * that started late has a quiet reference and an ordinary window). NaN where it does not apply: no
 * ratio, fewer than 3 earlier days, or off the plateau of the entity's day (see `onPlateau`).
 */
export interface TodayExpectation {
  buckets: number;
  expected: Float64Array;
  /**
   * Overdispersion φ of that prediction: the counting noise of the window and of its reference, plus
   * the tier's pooled error of the usual ratio on earlier days (the day's shape).
   */
  phi: Float64Array;
}

/** See `Baselines.today`. */
export /** See `Baselines.today`. */
function dayLevel(
  entities: readonly Entity[],
  w: Windows,
  expected: Float64Array,
  withinDayPhi: Float64Array,
  population: PopulationFactors,
  floor: number,
  pooledHour: number,
  tierOf: (e: number) => number,
): TodayExpectation[] {
  const n = entities.length;
  const factor = population.windows[3];
  return w.todayWindows.map((tw, j) => {
    const applies = (e: number) =>
      entities[e]!.kind === 'user' && !Number.isNaN(tw.ratio[e]!) && hasOwnLevel(w, e);
    const k = tw.buckets;
    // The counting noise of a prediction, as overdispersion: the window's own 15-minute noise, which
    // averages down over its buckets, and the reference's negative binomial excess; plus, below, the
    // reference's Poisson noise (1/reference), where a handful of requests would otherwise set the
    // expectation alone. Both the window and its reference lie within one day, so the noise is the
    // φ within a day: the level of the day is what today's level estimates.
    const bucketNoise = (e: number) => withinDayPhi[e]! / k + withinDayPhi[e]! / TODAY_REFERENCE;
    // What counting noise leaves of the errors on earlier days is the day's shape: how far the usual
    // ratio is from the day's own (a start earlier or later, a long lunch). Pooled by tier as a ratio
    // of sums (method of moments), every earlier day of every entity with a week of history weighing
    // by its size: a handful of days per entity could not estimate it alone.
    const excess = [0, 0];
    const scale = [0, 0];
    for (let e = 0; e < n; e++) {
      if (!applies(e) || w.seasonalDays[e]! < MIN_DAYS_FOR_POOL) continue;
      const counting = tw.scale[e]! * bucketNoise(e) + tw.ratio[e]! * tw.predicted[e]!;
      excess[tierOf(e)]! += tw.excess[e]! - counting;
      scale[tierOf(e)]! += tw.scale[e]!;
    }
    const shapePhi = [0, 1].map((t) => (scale[t]! > 0 ? Math.max(0, excess[t]! / scale[t]!) : pooledHour));
    // The population factor too: a launch that starts inside the window is in no one's reference.
    // Today's level takes only the population's change from the reference to the window: a launch
    // already under way in the reference has raised that level with it (counting it twice made a
    // burst during a launch look ordinary), and one that ended in the window lowers it. The floor
    // takes the window's own factor where it is above the hour's: a short window's leads the hour's,
    // and a 2-hour window just after a launch still holds part of it.
    const windowFactor = Math.max(factor, population.today[j]!.window);
    const sinceReference = population.today[j]!.change;
    const result: TodayExpectation = {
      buckets: k,
      expected: new Float64Array(n).fill(Number.NaN),
      phi: new Float64Array(n).fill(Number.NaN),
    };
    for (let e = 0; e < n; e++) {
      if (!applies(e) || !onPlateau(w, e)) continue;
      const days = w.seasonalDays[e]!;
      result.expected[e] = Math.max(
        1,
        sinceReference * tw.ratio[e]! * (tw.reference[e]! + TODAY_PSEUDO_COUNT),
        (TODAY_FLOOR * windowFactor * expected[e]! * k) / (factor * BUCKETS_PER_HOUR),
      );
      // The ratio is itself estimated from `days` days: its error adds about 1/days of the noise.
      const phi = bucketNoise(e) + 1 / (tw.reference[e]! + TODAY_PSEUDO_COUNT) + shapePhi[tierOf(e)]!;
      result.phi[e] = Math.max(floor, phi * (1 + 1 / days));
    }
    return result;
  });
}

function onPlateau(w: Windows, e: number): boolean {
  return (
    w.seasonalTypical[e]! >= PLATEAU_SHARE * w.seasonalLevel[e]! && w.hours[1]![e]! > 0 && w.hours[2]![e]! > 0
  );
}
