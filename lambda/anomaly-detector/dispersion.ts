// Overdispersion estimates: an entity's own, from its counts around this hour on earlier days, and
// the constants that pool them over the population.
import type { PairSums } from './windows';

/** Expected counts below which an entity says little about dispersion (Poisson noise dominates). */
export const MIN_EXPECTED_FOR_DISPERSION = 4;
/** Weight, in days of history, of the pooled dispersion against an entity's own estimate. */
export const SHRINK_DAYS = 3;
/**
 * Which quantile of entities' own hourly dispersion is pooled. Seven days give a noisy estimate (a
 * median absolute deviation of seven values), and the median of noisy variance estimates lies well
 * below the typical variance; the upper quartile corrects for that.
 */
export const POOLED_HOUR_QUANTILE = 0.75;
/** Usual hourly level from which an entity's hourly dispersion is pooled with the heavy tier. */
export const HEAVY_LEVEL = 100;
/**
 * Standard errors added to an entity's 15-minute φ within a day. Squares of overdispersed counts are
 * skewed, so for a bursty user the estimate from a week's pairs usually lies below its mean: without
 * the margin the burstiest users are underestimated and flagged for their own noise.
 */
export const WITHIN_DAY_PHI_MARGIN = 1;
/** Entities with this many days of history at this hour estimate the pooled dispersion. */
export const MIN_DAYS_FOR_POOL = 5;

/**
 * φ from a robust spread of hourly counts over days around their usual level: the variance beyond
 * Poisson, relative to the level squared. NaN with fewer than 3 days or no level.
 */
export function ownDispersion(spread: number, level: number, days: number): number {
  if (days < 3 || level <= 0) return Number.NaN;
  return Math.max(0, (spread * spread - level) / (level * level));
}

/**
 * An entity's 15-minute φ within a day (see PairSums), plus WITHIN_DAY_PHI_MARGIN standard errors
 * of it (pairs taken as independent); NaN without a pair of active buckets.
 */
export function withinDayDispersion(pairs: PairSums, e: number): number {
  const scale = pairs.scale[e]!;
  if (scale <= 0) return Number.NaN;
  const phi = pairs.excess[e]! / scale;
  // Σ(e − φs)², expanded.
  const residual = pairs.excessSquares[e]! - 2 * phi * pairs.cross[e]! + phi * phi * pairs.scaleSquares[e]!;
  return Math.max(0, phi + (WITHIN_DAY_PHI_MARGIN * Math.sqrt(Math.max(0, residual))) / scale);
}
