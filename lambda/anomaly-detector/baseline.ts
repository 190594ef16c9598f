// What each entity is expected to send this hour, and the population facts that shape it: the
// prior for entities with no history, the population's own surge factor, and the pooled
// overdispersion at the hour and the 15-minute scale.
import type { Entity } from '../../src/shared/entity';
import type { DetectorSettings } from './settings';
import { fitDispersion, quantileInPlace } from './stats';
import { RECENT_HOURS, SEASONAL_SPAN, type Windows } from './windows';

/** Which history set an entity's expected rate. */
export type BaselineSource = 'recent' | 'seasonal' | 'population-prior' | 'floor';
export const BASELINE_SOURCES: readonly BaselineSource[] = [
  'recent',
  'seasonal',
  'population-prior',
  'floor',
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
  /** Expected failed authentications this hour, per entity (at least 1). */
  authExpected: Float64Array;
  population: PopulationStats;
}

export interface PopulationStats {
  /** Users with traffic in the 9 hours read. */
  activeUsers: number;
  /** Hourly count an entity with no history at this hour is expected to reach (the prior). */
  prior: number;
  /** How much the whole population is above its usual level this hour (1 = not at all). */
  factor: number;
  /** Pooled overdispersion φ (variance μ + φμ²) of hourly and of 15-minute counts. */
  hourDispersion: number;
  bucketDispersion: number;
}

/** Fewer established users than this and the population factor is not estimated (stays 1). */
const MIN_USERS_FOR_FACTOR = 30;
/** Users whose usual level is below this many requests say too little about a population change. */
const MIN_LEVEL_FOR_FACTOR = 8;
/** Expected counts below which an entity says little about dispersion (Poisson noise dominates). */
const MIN_EXPECTED_FOR_DISPERSION = 4;
/** Weight, in days of history, of the pooled dispersion against an entity's own estimate. */
const SHRINK_DAYS = 3;
/** Entities with this many days of history at this hour estimate the pooled dispersion. */
const MIN_DAYS_FOR_POOL = 5;

export function computeBaselines(
  entities: readonly Entity[],
  w: Windows,
  settings: DetectorSettings,
): Baselines {
  const n = entities.length;
  const scratch = new Float64Array(n);
  const recent = new Float64Array(n);

  // Prior: a high percentile of active users' hourly rates (each user's mean over its active hours
  // in the 9 read), so that 24/7 service accounts count once, not once per hour.
  let values = 0;
  let activeUsers = 0;
  for (let e = 0; e < n; e++) {
    if (entities[e]!.kind !== 'user') continue;
    let activeHours = 0;
    let sum = 0;
    for (let h = 0; h < RECENT_HOURS; h++) {
      const v = w.hours[h]![e]!;
      sum += v;
      if (v > 0) activeHours++;
    }
    recent[e] = (sum - w.hours[0]![e]!) / (RECENT_HOURS - 1);
    if (activeHours > 0) {
      scratch[values++] = sum / activeHours;
      activeUsers++;
    }
  }
  const prior =
    values === 0 ? 1 : Math.max(1, quantileInPlace(scratch, values, settings.anomalyPriorPercentile));

  // Population factor: the median user's current hour against its usual level at this hour (the
  // median day, so that an ordinary hour gives about 1 and a launch that triples traffic about 3).
  let ratios = 0;
  for (let e = 0; e < n; e++) {
    if (entities[e]!.kind !== 'user') continue;
    const level = w.seasonalTypical[e]!;
    if (w.seasonalDays[e]! >= 3 && level >= MIN_LEVEL_FOR_FACTOR) scratch[ratios++] = w.hours[0]![e]! / level;
  }
  const factor = ratios >= MIN_USERS_FOR_FACTOR ? Math.max(1, quantileInPlace(scratch, ratios, 0.5)) : 1;

  const expected = new Float64Array(n);
  const source = new Uint8Array(n);
  const authExpected = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    let value = recent[e]!;
    let from = 0;
    if (w.seasonalDays[e]! > 0) {
      const seasonal = factor * w.seasonalLevel[e]!;
      if (seasonal > value) {
        value = seasonal;
        from = 1;
      }
    } else {
      // No history at this hour: a new entity, or one at an hour it never used. Judge it against
      // what users in general send (not its own first hours: an account created to abuse has no
      // quieter past to compare with).
      if (factor * prior > value) {
        value = factor * prior;
        from = 2;
      }
    }
    if (value < 1) {
      value = 1;
      from = 3;
    }
    expected[e] = value;
    source[e] = from;
    authExpected[e] = Math.max(1, w.authBaseline[e]! / (RECENT_HOURS - 1), w.authSeasonalLevel[e]!);
  }

  // Dispersion, fitted on users whose expected count is large enough to carry information.
  const observed = new Float64Array(n);
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
  let pooledCount = 0;
  const pooledB = new Float64Array(n);
  const pooledH = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const days = w.seasonalDays[e]!;
    if (days === 0) continue;
    const buckets = days * SEASONAL_SPAN;
    const m = w.seasonalBucketSum[e]! / buckets;
    if (m > 0) {
      const variance = w.seasonalBucketSumSquares[e]! / (buckets - days);
      ownBucket[e] = Math.max(0, (variance - m) / (m * m));
    }
    const hm = w.seasonalHourMean[e]!;
    if (days >= 2 && hm > 0) ownHour[e] = Math.max(0, (w.seasonalHourVariance[e]! - hm) / (hm * hm));
    if (days >= MIN_DAYS_FOR_POOL && m >= 1 && entities[e]!.kind === 'user') {
      pooledB[pooledCount] = ownBucket[e]!;
      pooledH[pooledCount++] = ownHour[e]!;
    }
  }
  const floor = settings.anomalyMinDispersion;
  const pooledBucket =
    pooledCount >= 20
      ? Math.max(floor, quantileInPlace(pooledB, pooledCount, 0.5))
      : Math.max(floor, bucketDispersion);
  const pooledHour =
    pooledCount >= 20
      ? Math.max(floor, quantileInPlace(pooledH, pooledCount, 0.5))
      : Math.max(floor, hourDispersion);
  const bucketPhi = new Float64Array(n);
  const hourPhi = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const days = w.seasonalDays[e]!;
    const b = ownBucket[e]!;
    bucketPhi[e] = Number.isNaN(b)
      ? pooledBucket
      : Math.max(floor, (days * b + SHRINK_DAYS * pooledBucket) / (days + SHRINK_DAYS));
    const h = ownHour[e]!;
    // Against the population prior (itself a high percentile, so already generous) only the floor.
    hourPhi[e] =
      source[e] === 2
        ? floor
        : Number.isNaN(h)
          ? pooledHour
          : Math.max(floor, (days * h + SHRINK_DAYS * pooledHour) / (days + SHRINK_DAYS));
  }
  return {
    bucketPhi,
    hourPhi,
    expected,
    source,
    recent,
    authExpected,
    population: { activeUsers, prior, factor, hourDispersion: pooledHour, bucketDispersion: pooledBucket },
  };
}
