// Failed authentications (401/403) from one client IP — credential stuffing, token guessing —
// judged like volume against the entity's own failure level (a NAT with many users has some), on
// the hour and on the newest bucket so a storm is caught in the run after it starts.
import { excessZ } from '../stats';
import type { SignalHit } from '../decision';
import { fmt, fmt1, type SignalContext } from './context';

export function authStorm(ctx: SignalContext, e: number): SignalHit | undefined {
  const s = ctx.settings;
  const w = ctx.windows;
  const hourly = ctx.baselines.authExpected[e]!;
  const phi = Math.max(ctx.baselines.population.hourDispersion, ctx.baselines.population.bucketDispersion);
  const candidates = [
    { window: '1h' as const, current: w.authHour[e]!, baseline: hourly, scale: 1 },
    { window: '15m' as const, current: w.authLastBucket[e]!, baseline: hourly / 4, scale: 4 },
  ];
  for (const { window, current, baseline, scale } of candidates) {
    if (current * scale < s.anomalyAuthFailureThreshold) continue;
    const ratio = current / baseline;
    if (ratio < s.anomalySurgeRatio) continue;
    const score = excessZ(current, baseline, phi);
    if (score < s.anomalySignificance) continue;
    return {
      signal: 'auth-storm',
      window,
      current,
      baseline,
      ratio,
      score,
      reason: `${fmt(current)} failed authentications in the last ${window}, ${fmt1(ratio)}x its usual ${fmt1(baseline)}, z=${fmt1(score)}`,
    };
  }
  return undefined;
}
