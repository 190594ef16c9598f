// Slow ramps: traffic growing hour after hour drags the 8-hour baseline up with it, so a ramp is
// judged against the same hour on earlier days instead. Its evidence is the shape — four hours of
// steady growth ending well above the usual level — which a busy day (flat), a morning start (seen
// on earlier days too) or noise (not monotone) rarely has; so it needs less significance than a surge.
import { hasOwnLevel } from '../own-level';
import { excessZ } from '../stats';
import type { SignalHit } from '../decision';
import { fmt, fmt1, type SignalContext } from './context';
import { throttleBar } from '../response';

const HOURS = 4;

/** Least-squares slope of log(count + 1) over the last four hours, newest last: log of hourly growth. */
function logSlope(ctx: SignalContext, e: number): number {
  let sumY = 0;
  let sumXY = 0;
  for (let x = 0; x < HOURS; x++) {
    const y = Math.log(ctx.windows.hours[HOURS - 1 - x]![e]! + 1);
    sumY += y;
    sumXY += x * y;
  }
  const meanX = (HOURS - 1) / 2;
  const sxx = HOURS * ((HOURS * HOURS - 1) / 12);
  return (sumXY - meanX * sumY) / sxx;
}

/** A ramp is gradual: a larger jump from one hour to the next is a burst, or a morning start. */
const MAX_STEP = 2.5;

export function ramp(ctx: SignalContext, e: number): SignalHit | undefined {
  const w = ctx.windows;
  // Judged against the entity's own level, so only where it has one.
  if (ctx.entities[e]!.kind !== 'user' || !hasOwnLevel(w, e)) return undefined;
  const s = ctx.settings;
  const h = w.hours;
  const current = h[0]![e]!;
  if (current < s.anomalyMinRequests || current <= h[1]![e]!) return undefined;
  for (let k = 0; k < HOURS - 1; k++) {
    if (h[k + 1]![e]! <= 0 || h[k]![e]! > MAX_STEP * h[k + 1]![e]!) return undefined;
  }
  const growth = Math.exp(logSlope(ctx, e));
  if (growth < s.anomalyRampGrowth) return undefined;
  // Against the entity's busier days at this hour, not its median day: a level it reaches on some
  // days (an evening it works into now and then) is its own, and a ramp's slow climb leaves such
  // levels far behind.
  const factor = ctx.baselines.population.factor;
  const baseline = Math.max(1, factor * Math.max(w.seasonalLevel[e]!, w.seasonalBusier[e]!));
  const ratio = current / baseline;
  if (ratio < s.anomalySurgeRatio) return undefined;
  // Sustained: the previous hour must already be above its own usual level, and the two hours
  // together are tested, which doubles the counts behind the score.
  const previousUsual = factor * w.seasonalPreviousHour[e]!;
  // (An hour that is usually idle and busy today is above its usual level too.)
  if (h[1]![e]! <= previousUsual) return undefined;
  // The ramp is judged against the same-hour level, so by the noise around that level. Both
  // dispersion estimates err high, each from its own nuisance (the clock hour's from when a day
  // started, at the edges of a working day; the best alignment's where the daily shape is steep):
  // the smaller one is the better estimate.
  const phi = Math.min(ctx.baselines.levelPhi[e]!, ctx.baselines.hourPhi[e]!);
  const score = excessZ(current + h[1]![e]!, baseline + previousUsual, phi);
  if (score < throttleBar(s, s.anomalyRampSignificance)) return undefined;
  return {
    signal: 'ramp',
    blockBar: s.anomalyRampSignificance,
    window: '1h',
    current,
    baseline,
    ratio,
    score,
    reason: `${fmt(current)} requests in the last 1h after 4 hours growing ${fmt1(growth)}x per hour, ${fmt1(ratio)}x the same hour on earlier days (${fmt1(baseline)}), z=${fmt1(score)} over 2 hours`,
  };
}
