// What each entity is expected to send this hour, and the population facts that shape it: the
// prior for entities new at this hour, the population's own surge factor, and the pooled
// overdispersion at the hour and the 15-minute scale.
import { BUCKETS_PER_HOUR } from '../../core/shared/buckets';
import type { Entity } from '../../core/shared/entity';
import type { DetectorSettings } from './settings';
import { fitDispersion, quantileInPlace } from './stats';
import {
  RECENT_HOURS,
  SEASONAL_SPAN,
  TODAY_REFERENCE,
  TODAY_WINDOWS,
  type PairSums,
  type TodayWindow,
  type TodayWindowLength,
  type Windows,
} from './windows';

/**
 * Which history set an entity's expected rate. `today` is the day-level expectation (see
 * `todayExpected`), which only the signals that judge against it report.
 */
export type BaselineSource = 'recent' | 'seasonal' | 'population-prior' | 'floor' | 'today';
export const BASELINE_SOURCES: readonly BaselineSource[] = [
  'recent',
  'seasonal',
  'population-prior',
  'floor',
  'today',
];

export interface Baselines {
  /** Expected counted requests this hour, per entity (at least 1, as in the original). */
  expected: Float64Array;
  /** Index into BASELINE_SOURCES of what set `expected`. */
  source: Uint8Array;
  /** The original's baseline: hourly average of the 8 previous hours. */
  recent: Float64Array;
  /** Per-entity overdispersion φ of 15-minute and of hourly counts. */
  bucketPhi: Float64Array;
  hourPhi: Float64Array;
  /**
   * Hourly φ around the same-hour level (the best-aligned hour within ±2 h), for the signals that
   * compare with that level (ramps): the day-to-day spread of that alignment, not of the clock hour,
   * whose spread at the edges of a working day is mostly when the day happened to start.
   */
  levelPhi: Float64Array;
  /** The day-level expectation of each of TODAY_WINDOWS (see `TodayExpectation`). */
  today: TodayExpectation[];
  /** Expected failed authentications this hour, per entity (at least 1). */
  authExpected: Float64Array;
  /** The population factor of the newest 15, 30, 45 minutes and of the whole hour. */
  factors: [number, number, number, number];
  population: PopulationStats;
}

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

export interface PopulationStats {
  /** Users with traffic in the 9 hours read. */
  activeUsers: number;
  /** Hourly count an entity new at this hour (see MIN_OWN_DAYS) is expected to reach (the prior). */
  prior: number;
  /** How much the whole population is above its usual level this hour (1 = not at all). */
  factor: number;
  /** Pooled overdispersion φ (variance μ + φμ²) of hourly and of 15-minute counts. */
  hourDispersion: number;
  bucketDispersion: number;
}

/**
 * Earlier days with traffic at this hour from which an entity's own level is trusted. With fewer it
 * is judged as a newcomer, against the population prior (or its own level, if that is higher): one
 * or two days say little about an hour, least of all a new user's first days, whose same hour
 * yesterday may have held a handful of requests sent while trying the API out.
 */
export const MIN_OWN_DAYS = 3;

/** Whether the entity has a level of its own at this hour (see MIN_OWN_DAYS). */
export function hasOwnLevel(w: Windows, e: number): boolean {
  return w.seasonalDays[e]! >= MIN_OWN_DAYS;
}

/** Fewer established users than this and the population factor is not estimated (stays 1). */
const MIN_USERS_FOR_FACTOR = 30;
/** Users whose usual level is below this many requests say too little about a population change. */
const MIN_LEVEL_FOR_FACTOR = 8;
/** In the population's total, no user counts for more than this many times its largest earlier day. */
const FACTOR_USER_CAP = 3;

/** The population factors of one run: see `populationFactors`. */
interface PopulationFactors {
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
function populationFactors(entities: readonly Entity[], w: Windows): PopulationFactors {
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
/** Expected counts below which an entity says little about dispersion (Poisson noise dominates). */
const MIN_EXPECTED_FOR_DISPERSION = 4;
/** Weight, in days of history, of the pooled dispersion against an entity's own estimate. */
const SHRINK_DAYS = 3;
/**
 * Which quantile of entities' own hourly dispersion is pooled. Seven days give a noisy estimate (a
 * median absolute deviation of seven values), and the median of noisy variance estimates lies well
 * below the typical variance; the upper quartile corrects for that.
 */
const POOLED_HOUR_QUANTILE = 0.75;
/** Usual hourly level from which an entity's hourly dispersion is pooled with the heavy tier. */
const HEAVY_LEVEL = 100;
/**
 * Standard errors added to an entity's 15-minute φ within a day. Squares of overdispersed counts are
 * skewed, so for a bursty user the estimate from a week's pairs usually lies below its mean: without
 * the margin the burstiest users are underestimated and flagged for their own noise.
 */
const WITHIN_DAY_PHI_MARGIN = 1;
/** Entities with this many days of history at this hour estimate the pooled dispersion. */
const MIN_DAYS_FOR_POOL = 5;
/**
 * Today's level may lower the expectation to this share of the usual one, no further: quiet previous
 * hours can also mean a day that started late (or a long lunch), after which the current hour is
 * ordinary; a lower floor flags such days (the evaluation's benign side shows it).
 */
const TODAY_FLOOR = 0.7;
/** Requests added to today's two previous hours, so that a few requests do not set the level alone. */
const TODAY_PSEUDO_COUNT = 2;
/**
 * The day-level expectation applies on the plateau of the entity's day: the clock hour usually at
 * least this share of its best-aligned level (not a morning ramp or an evening fade, where days
 * differ by when they start, not by how busy they are), and both previous hours active today.
 */
const PLATEAU_SHARE = 0.6;

/**
 * φ from a robust spread of hourly counts over days around their usual level: the variance beyond
 * Poisson, relative to the level squared. NaN with fewer than 3 days or no level.
 */
function ownDispersion(spread: number, level: number, days: number): number {
  if (days < 3 || level <= 0) return Number.NaN;
  return Math.max(0, (spread * spread - level) / (level * level));
}

/**
 * An entity's 15-minute φ within a day (see PairSums), plus WITHIN_DAY_PHI_MARGIN standard errors
 * of it (pairs taken as independent); NaN without a pair of active buckets.
 */
function withinDayDispersion(pairs: PairSums, e: number): number {
  const scale = pairs.scale[e]!;
  if (scale <= 0) return Number.NaN;
  const phi = pairs.excess[e]! / scale;
  // Σ(e − φs)², expanded.
  const residual = pairs.excessSquares[e]! - 2 * phi * pairs.cross[e]! + phi * phi * pairs.scaleSquares[e]!;
  return Math.max(0, phi + (WITHIN_DAY_PHI_MARGIN * Math.sqrt(Math.max(0, residual))) / scale);
}

export function computeBaselines(
  entities: readonly Entity[],
  w: Windows,
  settings: DetectorSettings,
): Baselines {
  const n = entities.length;
  const scratch = new Float64Array(n);
  const recent = new Float64Array(n);
  const observed = new Float64Array(n);

  // Prior without earlier days: a high percentile of users' hourly rates over the 8 baseline hours
  // (each user's mean over its active hours, so that 24/7 service accounts count once, not once per
  // hour). The current hour is left out: it holds the very traffic being judged, and in a small
  // population one abuser would otherwise set the bar it is measured against.
  let values = 0;
  let activeUsers = 0;
  for (let e = 0; e < n; e++) {
    if (entities[e]!.kind !== 'user') continue;
    let activeHours = 0;
    let sum = 0;
    for (let h = 1; h < RECENT_HOURS; h++) {
      const v = w.hours[h]![e]!;
      sum += v;
      if (v > 0) activeHours++;
    }
    recent[e] = sum / (RECENT_HOURS - 1);
    if (activeHours > 0) scratch[values++] = sum / activeHours;
    if (activeHours > 0 || w.hours[0]![e]! > 0) activeUsers++;
  }
  // Where earlier days exist, the prior is taken from them instead: users' usual level at this hour
  // (the median active day). Today's hours would carry a population surge into the prior, and the
  // population factor below would then count it twice; a surge that has ended would keep the prior
  // high for the eight hours after it.
  let usual = 0;
  for (let e = 0; e < n; e++) {
    if (entities[e]!.kind === 'user' && w.seasonalDays[e]! > 0 && w.seasonalTypical[e]! > 0)
      observed[usual++] = w.seasonalTypical[e]!;
  }
  const q = settings.anomalyPriorPercentile;
  // Too few users to say what users in general send (a new deployment, `sentinel dev`): no prior
  // beyond the original's floor of 1 request/hour.
  const hasPrior = usual >= MIN_USERS_FOR_FACTOR || values >= MIN_USERS_FOR_FACTOR;
  const prior =
    usual >= MIN_USERS_FOR_FACTOR
      ? Math.max(1, quantileInPlace(observed, usual, q))
      : hasPrior
        ? Math.max(1, quantileInPlace(scratch, values, q))
        : 1;

  const population = populationFactors(entities, w);
  const factors = population.windows;
  const factor = factors[3];

  const expected = new Float64Array(n);
  const source = new Uint8Array(n);
  const authExpected = new Float64Array(n);
  const plateauUsual = new Float64Array(n);
  const hourWindow = w.todayWindows[TODAY_WINDOWS.indexOf(BUCKETS_PER_HOUR as TodayWindowLength)]!;
  for (let e = 0; e < n; e++) {
    let value = hasOwnLevel(w, e) ? shapedRecent(hourWindow, e) : recent[e]!;
    let from = 0;
    // seasonalLevel is 0 where there are no earlier days.
    const seasonal = factor * w.seasonalLevel[e]!;
    if (!hasOwnLevel(w, e) && hasPrior && factor * prior > Math.max(value, seasonal)) {
      // No history at this hour worth the name: a new entity, or one at an hour it (almost) never
      // used. Judge it against what users in general send (not its own first hours: an account
      // created to abuse has no quieter past to compare with).
      value = factor * prior;
      from = 2;
    } else if (seasonal > value) {
      value = seasonal;
      from = 1;
    }
    if (value < 1) {
      value = 1;
      from = 3;
    }
    expected[e] = value;
    source[e] = from;
    // Today's level is never below a share of the usual level at this hour (see dayLevel): the
    // seasonal one where the entity has its own, since today's level already holds today's hours.
    plateauUsual[e] = hasOwnLevel(w, e) ? Math.max(1, seasonal) : value;
    authExpected[e] = Math.max(1, w.authBaseline[e]! / (RECENT_HOURS - 1), w.authSeasonalLevel[e]!);
  }

  // Dispersion, fitted on users whose expected count is large enough to carry information.
  const mean = new Float64Array(n);
  const fitScratch = new Float64Array(n);
  const fit = (scale: number, current: Float64Array) => {
    let count = 0;
    for (let e = 0; e < n; e++) {
      const mu = expected[e]! * scale;
      if (entities[e]!.kind !== 'user' || mu < MIN_EXPECTED_FOR_DISPERSION) continue;
      observed[count] = current[e]!;
      mean[count++] = mu;
    }
    return fitDispersion(observed, mean, count, settings.anomalyMinDispersion, fitScratch);
  };
  const hourDispersion = fit(1, w.hours[0]!);
  const bucketDispersion = fit(0.25, w.lastBuckets[0]);
  // Each entity's own burstiness, from its counts around this hour on earlier days: 15-minute
  // noise from successive buckets, hourly noise from day-to-day variation. The pooled value is the
  // median of these over entities with a week of history; an entity's own estimate is shrunk
  // towards it by how much history it has, so that a user who always works in spurts is not flagged
  // for a spurt, and a new one is not judged on two noisy days.
  const ownBucket = new Float64Array(n).fill(Number.NaN);
  const ownHour = new Float64Array(n).fill(Number.NaN);
  const ownWithinDay = new Float64Array(n).fill(Number.NaN);
  let pooledCount = 0;
  const pooledB = new Float64Array(n);
  const pooledW = new Float64Array(n);
  // Hourly dispersion is pooled within two volume tiers: services sending hundreds an hour around
  // the clock vary far less from day to day than people do, and judging them by people's noise
  // would hide a compromised service account's 4x.
  const tierOf = (e: number) => (w.seasonalTypical[e]! >= HEAVY_LEVEL ? 1 : 0);
  const tierCount = [0, 0];
  const pooledH = [new Float64Array(n), new Float64Array(n)];
  for (let e = 0; e < n; e++) {
    const days = w.seasonalDays[e]!;
    if (days === 0) continue;
    const buckets = days * SEASONAL_SPAN;
    const m = w.seasonalBucketSum[e]! / buckets;
    if (m > 0) {
      const variance = w.seasonalBucketSumSquares[e]! / (buckets - days);
      ownBucket[e] = Math.max(0, (variance - m) / (m * m));
    }
    ownWithinDay[e] = withinDayDispersion(w.seasonalPairs, e);
    ownHour[e] = ownDispersion(w.seasonalHourSpread[e]!, w.seasonalTypical[e]!, days);
    if (days >= MIN_DAYS_FOR_POOL && m >= 1 && entities[e]!.kind === 'user' && !Number.isNaN(ownHour[e]!)) {
      pooledW[pooledCount] = Number.isNaN(ownWithinDay[e]!) ? 0 : ownWithinDay[e]!;
      pooledB[pooledCount++] = ownBucket[e]!;
      const tier = tierOf(e);
      pooledH[tier]![tierCount[tier]!++] = ownHour[e]!;
    }
  }
  const floor = settings.anomalyMinDispersion;
  const pooledBucket =
    pooledCount >= 20
      ? Math.max(floor, quantileInPlace(pooledB, pooledCount, 0.5))
      : Math.max(floor, bucketDispersion);
  const pooledWithinDay =
    pooledCount >= 20 ? Math.max(floor, quantileInPlace(pooledW, pooledCount, 0.5)) : pooledBucket;
  // Never below what this run's own population shows (the fitted upper tail): seven days of one
  // entity's history can look calmer than its hours really are.
  const pooledAll = new Float64Array(pooledCount);
  pooledAll.set(pooledH[0]!.subarray(0, tierCount[0]!));
  pooledAll.set(pooledH[1]!.subarray(0, tierCount[1]!), tierCount[0]!);
  const overall =
    pooledCount >= 20
      ? Math.max(floor, hourDispersion, quantileInPlace(pooledAll, pooledCount, POOLED_HOUR_QUANTILE))
      : Math.max(floor, hourDispersion);
  const pooledHourByTier = [0, 1].map((tier) =>
    tierCount[tier]! >= 20
      ? Math.max(floor, quantileInPlace(pooledH[tier]!, tierCount[tier]!, POOLED_HOUR_QUANTILE))
      : overall,
  );
  const pooledHour = overall;
  const bucketPhi = new Float64Array(n);
  const hourPhi = new Float64Array(n);
  const levelPhi = new Float64Array(n);
  const withinDayPhi = new Float64Array(n);
  // An entity's own estimate, shrunk towards the pooled value by how much history it rests on.
  const shrunk = (own: number, days: number, pooled: number) =>
    Number.isNaN(own) ? pooled : Math.max(floor, (days * own + SHRINK_DAYS * pooled) / (days + SHRINK_DAYS));
  for (let e = 0; e < n; e++) {
    const days = w.seasonalDays[e]!;
    const tierPool = pooledHourByTier[tierOf(e)]!;
    bucketPhi[e] = shrunk(ownBucket[e]!, days, pooledBucket);
    withinDayPhi[e] = shrunk(ownWithinDay[e]!, days, pooledWithinDay);
    // Against the population prior only counting noise: the prior is itself a high percentile of
    // users, so how much users differ from one another is already in it.
    hourPhi[e] =
      source[e] === 2 ? 0 : Number.isNaN(ownHour[e]!) ? pooledHour : shrunk(ownHour[e]!, days, tierPool);
    levelPhi[e] = shrunk(ownDispersion(w.seasonalLevelSpread[e]!, w.seasonalLevel[e]!, days), days, tierPool);
  }
  const today = dayLevel(entities, w, plateauUsual, withinDayPhi, population, floor, pooledHour, tierOf);
  return {
    bucketPhi,
    hourPhi,
    levelPhi,
    today,
    expected,
    source,
    recent,
    authExpected,
    factors,
    population: { activeUsers, prior, factor, hourDispersion: pooledHour, bucketDispersion: pooledBucket },
  };
}

/**
 * The recent level of an entity with a level of its own at this hour, scaled by the seasonal shape:
 * today's two hours before the current one times the usual ratio of this hour to them. A raw average
 * of the previous hours would carry a busy evening into the quiet night after it, and hide a surge
 * there; 0 where the shape is unknown (those hours were always idle), so the seasonal level decides.
 */
function shapedRecent(hour: TodayWindow, e: number): number {
  const ratio = hour.ratio[e]!;
  return Number.isNaN(ratio) ? 0 : ratio * (hour.reference[e]! + TODAY_PSEUDO_COUNT);
}

/** See `Baselines.today`. */
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
