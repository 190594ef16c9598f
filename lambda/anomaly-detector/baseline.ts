// What each entity is expected to send this hour, and the population facts that shape it: the
// prior for entities new at this hour, the population's own surge factor (population-factor.ts),
// the pooled overdispersion at the hour and the 15-minute scale (dispersion.ts), and today's level
// (day-level.ts).
import { BUCKETS_PER_HOUR } from '../../core/shared/buckets';
import type { Entity } from '../../core/shared/entity';
import { dayLevel, TODAY_PSEUDO_COUNT, type TodayExpectation } from './day-level';
import {
  HEAVY_LEVEL,
  MIN_DAYS_FOR_POOL,
  MIN_EXPECTED_FOR_DISPERSION,
  ownDispersion,
  POOLED_HOUR_QUANTILE,
  SHRINK_DAYS,
  withinDayDispersion,
} from './dispersion';
import { hasOwnLevel } from './own-level';
import { MIN_USERS_FOR_FACTOR, populationFactors } from './population-factor';
import type { DetectorSettings } from './settings';
import { fitDispersion, quantileInPlace } from './stats';
import {
  RECENT_HOURS,
  SEASONAL_SPAN,
  TODAY_WINDOWS,
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
