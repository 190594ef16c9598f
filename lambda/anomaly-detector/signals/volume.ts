// Volume signals on counted requests (5xx excluded): the original's ratio rule (spike), a
// significant smaller surge for heavy users, and the same test on the newest 15-minute bucket; the
// surge and burst tests also against the day-level expectation (this hour as today's previous two
// hours predict it), which sees a burst on a quiet day that the usual level hides.
import { excessZ } from '../stats';
import type { SignalHit } from '../decision';
import { BASELINE_SOURCES, hasOwnLevel, type BaselineSource } from '../baseline';
import { fmt, fmt1, type SignalContext } from './context';

const PRIOR_SOURCE = BASELINE_SOURCES.indexOf('population-prior');

const SOURCE_WORDS = {
  recent: 'the previous 8 hours',
  seasonal: 'the same hour on earlier days',
  'population-prior': "other users' hourly counts",
  floor: 'the 1 request/hour floor',
  today: "today's previous 2 hours and this hour's usual ratio to them",
} as const satisfies Record<BaselineSource, string>;

function describe(
  ctx: SignalContext,
  e: number,
  what: string,
  hit: Omit<SignalHit, 'reason' | 'signal'>,
): string {
  const source = hit.baselineSource ?? BASELINE_SOURCES[ctx.baselines.source[e]!]!;
  return `${fmt(hit.current)} requests in the last ${hit.window}, ${fmt1(hit.ratio)}x the expected ${fmt1(hit.baseline)} (from ${SOURCE_WORDS[source]}), z=${fmt1(hit.score)}: ${what}`;
}

/** The current hour: `spike` when the ratio alone clears ANOMALY_THRESHOLD, else `surge` if significant. */
export function hourVolume(ctx: SignalContext, e: number): SignalHit | undefined {
  if (ctx.entities[e]!.kind !== 'user') return undefined;
  const s = ctx.settings;
  const current = ctx.windows.hours[0]![e]!;
  if (current < s.anomalyMinRequests) return undefined;
  const baseline = ctx.baselines.expected[e]!;
  const ratio = current / baseline;
  // Against the population prior (new at this hour) a smaller ratio suffices: the prior is
  // already a high percentile of what users send, not one entity's usual level.
  const fromPrior = ctx.baselines.source[e] === PRIOR_SOURCE;
  const surgeRatio = fromPrior ? s.anomalyPriorRatio : s.anomalySurgeRatio;
  const sustained = fromPrior ? sustainedNewcomer(ctx, e, current, baseline) : undefined;
  if (ratio < surgeRatio && ratio < s.anomalyThreshold) return sustained ?? todaySurge(ctx, e, current);
  const score = excessZ(current, baseline, ctx.baselines.hourPhi[e]!);
  const hit = { window: '1h' as const, current, baseline, ratio, score };
  // The original's rule, kept as a floor: its ratio only has to rise above the noise of a bursty
  // low-volume user, a lower bar than a surge's.
  if (ratio >= s.anomalyThreshold && score >= s.anomalyNoiseSignificance) {
    return { ...hit, signal: 'spike', reason: describe(ctx, e, 'above the ratio threshold', hit) };
  }
  if (score >= s.anomalySignificance && ratio >= surgeRatio) {
    return { ...hit, signal: 'surge', reason: describe(ctx, e, 'a significant surge', hit) };
  }
  return sustained ?? todaySurge(ctx, e, current);
}

/** The surge test against the day-level expectation, where it applies. */
function todaySurge(ctx: SignalContext, e: number, current: number): SignalHit | undefined {
  const baseline = ctx.baselines.todayExpected[e]!;
  if (Number.isNaN(baseline)) return undefined;
  const s = ctx.settings;
  const ratio = current / baseline;
  if (ratio < s.anomalySurgeRatio) return undefined;
  const score = excessZ(current, baseline, ctx.baselines.todayPhi[e]!);
  if (score < s.anomalySignificance) return undefined;
  const hit = { window: '1h' as const, current, baseline, ratio, score, baselineSource: 'today' as const };
  return {
    ...hit,
    signal: 'surge',
    reason: describe(ctx, e, "a significant surge against today's level", hit),
  };
}

/**
 * An entity new at this hour (judged against the population prior) that stays above
 * ANOMALY_PRIOR_SUSTAINED_RATIO times the prior for two hours running. A new user's first hour can
 * be busy (exploring the API), then it settles; an abusive account keeps going, often just above
 * what almost every user sends, below the prior ratio a single hour needs.
 */
function sustainedNewcomer(
  ctx: SignalContext,
  e: number,
  current: number,
  baseline: number,
): SignalHit | undefined {
  const s = ctx.settings;
  const previous = ctx.windows.hours[1]![e]!;
  const bar = s.anomalyPriorSustainedRatio * baseline;
  if (current < bar || previous < bar) return undefined;
  const score = excessZ(current + previous, 2 * baseline, 0);
  if (score < s.anomalyNoiseSignificance) return undefined;
  const ratio = current / baseline;
  return {
    signal: 'surge',
    window: '1h',
    current,
    baseline,
    ratio,
    score,
    reason: `${fmt(current)} requests in the last 1h and ${fmt(previous)} in the hour before, both above ${fmt1(s.anomalyPriorSustainedRatio)}x the expected ${fmt1(baseline)} (from ${SOURCE_WORDS['population-prior']}), z=${fmt1(score)} over 2 hours: a sustained surge with no history at this hour`,
  };
}

const BURST_WINDOWS = ['15m', '30m', '45m'] as const;
const BURST_MIN_FACTOR = 2;

/**
 * The newest 1, 2 and 3 buckets against the matching share of the hourly expectation: short bursts
 * an hour would dilute. Noise shrinks with the window, from the entity's 15-minute dispersion
 * towards its hourly one, so a single noisy bucket needs a larger excess than three in a row.
 */
export function bucketBurst(ctx: SignalContext, e: number): SignalHit | undefined {
  // Without history a 15-minute count says nothing about a burst: new entities are judged hourly.
  if (ctx.entities[e]!.kind !== 'user' || !hasOwnLevel(ctx.windows, e)) return undefined;
  const s = ctx.settings;
  const b = ctx.baselines;
  const bucketPhi = b.bucketPhi[e]!;
  const hourPhi = Math.min(bucketPhi, b.hourPhi[e]!);
  const today = b.todayExpected[e]!;
  // Against the day-level expectation the noise is the 15-minute noise, which averages down over
  // k buckets, plus the uncertainty of the level itself (what of the hour's φ is not bucket noise).
  const todayLevelPhi = Math.max(0, b.todayPhi[e]! - bucketPhi / 4);
  let strongest: SignalHit | undefined;
  for (let k = 1; k <= 3; k++) {
    const current = ctx.windows.lastBuckets[k - 1]![e]!;
    // A short window holds a quarter to three quarters of an hour's data: the burst must run at
    // twice the hourly minimum, so a low-volume user's spurt of a few dozen requests is not one.
    if ((current * 4) / k < BURST_MIN_FACTOR * s.anomalyMinRequests) continue;
    // A population surge shows in the newest buckets before it fills the hour: the short window's
    // own population factor, where it is above the hour's, raises the expectation with it.
    const surge = Math.max(1, b.factors[k - 1]! / b.factors[3]);
    const judge = (expected: number, phi: number, baselineSource?: 'today') => {
      const baseline = (expected * surge * k) / 4;
      const ratio = current / baseline;
      if (ratio < s.anomalySurgeRatio) return;
      const score = excessZ(current, baseline, phi);
      if (score < s.anomalySignificance || (strongest && strongest.score >= score)) return;
      const hit = { window: BURST_WINDOWS[k - 1]!, current, baseline, ratio, score, baselineSource };
      const what = baselineSource ? "a significant burst against today's level" : 'a significant burst';
      strongest = { ...hit, signal: 'burst', reason: describe(ctx, e, what, hit) };
    };
    judge(b.expected[e]!, bucketPhi + ((hourPhi - bucketPhi) * (k - 1)) / 3);
    if (!Number.isNaN(today)) judge(today, bucketPhi / k + todayLevelPhi, 'today');
  }
  return strongest;
}
