// A client that keeps hitting the rate limit for the whole hour is not slowing down when told to:
// every bucket of the hour must have a share of 429s at least ANOMALY_RATE_LIMITED_SHARE, so one
// burst that the bucket absorbed does not count.
import type { SignalHit } from '../decision';
import { fmt, type SignalContext } from './context';

const ABOVE_EXPECTED = 1.5;

export function rateLimitSaturation(ctx: SignalContext, e: number): SignalHit | undefined {
  const s = ctx.settings;
  const w = ctx.windows;
  const minShare = w.rateLimitedMinShare[e]!;
  if (minShare < s.anomalyRateLimitedShare || w.requestsHour[e]! < s.anomalyMinRequests) return undefined;
  // A heavy user pushed over the limit by a population-wide surge is not hammering: the entity must
  // also send clearly more than it is expected to (expectations include the population factor).
  if (w.hours[0]![e]! < ABOVE_EXPECTED * ctx.baselines.expected[e]!) return undefined;
  const limited = w.rateLimitedHour[e]!;
  return {
    signal: 'rate-limit',
    window: '1h',
    current: limited,
    baseline: w.requestsHour[e]!,
    ratio: limited / w.requestsHour[e]!,
    score: limited,
    reason: `rate-limited in every 15 minutes of the last hour (${fmt(limited)} of ${fmt(w.requestsHour[e]!)} requests answered 429, at least ${Math.round(minShare * 100)}% in each bucket)`,
  };
}
