// Volume signals on counted requests (5xx excluded): the original's ratio rule (spike), a
// significant smaller surge for heavy users, and the same test on the newest 15 to 45 minutes; and
// the newest 15 minutes to 2 hours against the day-level expectation (each window as today's two
// hours before it predict it), which sees a burst on a quiet day that the usual level hides.
import { BUCKETS_PER_HOUR } from '../../../core/shared/buckets';
import { excessZ } from '../stats';
import type { SignalHit } from '../decision';
import { BASELINE_SOURCES, type BaselineSource } from '../baseline';
import { hasOwnLevel } from '../own-level';
import { fmt, fmt1, type SignalContext } from './context';
import { throttleBar } from '../response';

const HOUR = BUCKETS_PER_HOUR;

const PRIOR_SOURCE = BASELINE_SOURCES.indexOf('population-prior');

const SOURCE_WORDS = {
  recent: 'the previous hours, scaled by the usual shape of the day where known',
  seasonal: 'the same hour on earlier days',
  'population-prior': "other users' hourly counts",
  floor: 'the 1 request/hour floor',
  today: "today's 2 hours before the window and the window's usual ratio to them",
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
  const [baseline, baselineSource] = onBusyDay(ctx, e, HOUR, ctx.baselines.expected[e]!);
  const ratio = current / baseline;
  // Against the population prior (new at this hour) a smaller ratio suffices: the prior is
  // already a high percentile of what users send, not one entity's usual level.
  const fromPrior = ctx.baselines.source[e] === PRIOR_SOURCE;
  const surgeRatio = fromPrior ? s.anomalyPriorRatio : s.anomalySurgeRatio;
  const sustained = fromPrior ? sustainedNewcomer(ctx, e, current, baseline) : undefined;
  if (ratio < surgeRatio && ratio < s.anomalyThreshold) return sustained;
  const score = excessZ(current, baseline, ctx.baselines.hourPhi[e]!);
  const hit = { window: '1h' as const, current, baseline, ratio, score, baselineSource };
  // The original's rule, kept as a floor: its ratio only has to rise above the noise of a bursty
  // low-volume user, a lower bar than a surge's. A hit that clears a block bar is preferred over one
  // that only clears the throttle bar.
  const spike = ratio >= s.anomalyThreshold ? s.anomalyNoiseSignificance : Number.NaN;
  const surge = ratio >= surgeRatio ? s.anomalySignificance : Number.NaN;
  const spikeHit = () => ({
    ...hit,
    signal: 'spike' as const,
    blockBar: spike,
    reason: describe(ctx, e, 'above the ratio threshold', hit),
  });
  const surgeHit = () => ({
    ...hit,
    signal: 'surge' as const,
    blockBar: surge,
    reason: describe(ctx, e, 'a significant surge', hit),
  });
  if (score >= spike) return spikeHit();
  if (score >= surge) return surgeHit();
  if (score >= throttleBar(s, spike)) return spikeHit();
  if (score >= throttleBar(s, surge)) return surgeHit();
  return sustained;
}

/**
 * The expectation of the newest `buckets` buckets judged against the usual level (`usual`), raised
 * to today's level where that applies and is higher: on a busy day (the day factor of a person's
 * traffic, or a service's busy week) every window is above the usual level, and the usual level's
 * noise does not cover a whole day above it: judged against the usual level alone, one
 * overdispersed bucket on a busy day reads as a burst. Today's level is never below TODAY_FLOOR of
 * the usual one, so it never lowers the bar.
 */
function onBusyDay(
  ctx: SignalContext,
  e: number,
  buckets: number,
  usual: number,
): [number, BaselineSource | undefined] {
  const today = ctx.baselines.today.find((t) => t.buckets === buckets)?.expected[e] ?? Number.NaN;
  return today > usual ? [today, 'today'] : [usual, undefined];
}

/** A window's name, by its length in buckets. */
const WINDOW_NAMES: Record<number, SignalHit['window']> = {
  1: '15m',
  2: '30m',
  3: '45m',
  4: '1h',
  6: '90m',
  8: '2h',
};

/**
 * The newest 15 minutes to 2 hours against the day-level expectation (today's traffic in the two
 * hours before each window, times the window's usual ratio to them), where it applies: a burst on a
 * quiet day that the usual level hides, judged against the day before it began — a window that
 * started with the burst has a reference the burst has not reached. `burst` below an hour, `surge`
 * from an hour.
 */
export function todayVolume(ctx: SignalContext, e: number): SignalHit | undefined {
  if (ctx.entities[e]!.kind !== 'user') return undefined;
  const s = ctx.settings;
  let strongest: SignalHit | undefined;
  for (const [j, today] of ctx.baselines.today.entries()) {
    const baseline = today.expected[e]!;
    if (Number.isNaN(baseline)) continue;
    const k = today.buckets;
    const current = ctx.windows.todayWindows[j]!.current[e]!;
    // At least ANOMALY_MIN_REQUESTS an hour, twice that in a window shorter than an hour (a
    // low-volume user's spurt of a few dozen requests is not a burst).
    const minimum = (k < HOUR ? BURST_MIN_FACTOR : 1) * s.anomalyMinRequests;
    if ((current * HOUR) / k < minimum) continue;
    const ratio = current / baseline;
    if (ratio < s.anomalySurgeRatio) continue;
    const score = excessZ(current, baseline, today.phi[e]!);
    // Today's level is estimated from a few of today's own counts, and a day's shape can shift by
    // more than its noise allows for: a hit against it needs more significance to throttle.
    const bar = Math.min(
      s.anomalySignificance,
      Math.max(s.anomalyThrottleSignificance, s.anomalyTodayThrottleSignificance),
    );
    if (score < bar || (strongest && strongest.score >= score)) continue;
    const window = WINDOW_NAMES[k]!;
    const hit = {
      window,
      current,
      baseline,
      ratio,
      score,
      baselineSource: 'today' as const,
      blockBar: s.anomalySignificance,
    };
    const what = k < HOUR ? 'burst' : 'surge';
    strongest = {
      ...hit,
      signal: what,
      reason: describe(ctx, e, `a significant ${what} against today's level`, hit),
    };
  }
  return strongest;
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
  if (score < throttleBar(s, s.anomalyNoiseSignificance)) return undefined;
  const ratio = current / baseline;
  return {
    signal: 'surge',
    blockBar: s.anomalyNoiseSignificance,
    window: '1h',
    current,
    baseline,
    ratio,
    score,
    reason: `${fmt(current)} requests in the last 1h and ${fmt(previous)} in the hour before, both above ${fmt1(s.anomalyPriorSustainedRatio)}x the expected ${fmt1(baseline)} (from ${SOURCE_WORDS['population-prior']}), z=${fmt1(score)} over 2 hours: a sustained surge with no history at this hour`,
  };
}

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
  let strongest: SignalHit | undefined;
  for (let k = 1; k <= 3; k++) {
    const current = ctx.windows.lastBuckets[k - 1]![e]!;
    // A short window holds a quarter to three quarters of an hour's data: the burst must run at
    // twice the hourly minimum, so a low-volume user's spurt of a few dozen requests is not one.
    if ((current * 4) / k < BURST_MIN_FACTOR * s.anomalyMinRequests) continue;
    // A population surge shows in the newest buckets before it fills the hour: the short window's
    // own population factor, where it is above the hour's, raises the expectation with it.
    const surge = Math.max(1, b.factors[k - 1]! / b.factors[3]);
    const [baseline, baselineSource] = onBusyDay(ctx, e, k, (b.expected[e]! * surge * k) / 4);
    const ratio = current / baseline;
    if (ratio < s.anomalySurgeRatio) continue;
    const score = excessZ(current, baseline, bucketPhi + ((hourPhi - bucketPhi) * (k - 1)) / 3);
    if (score < throttleBar(s, s.anomalySignificance) || (strongest && strongest.score >= score)) continue;
    const hit = {
      window: WINDOW_NAMES[k]!,
      current,
      baseline,
      ratio,
      score,
      baselineSource,
      blockBar: s.anomalySignificance,
    };
    strongest = { ...hit, signal: 'burst', reason: describe(ctx, e, 'a significant burst', hit) };
  }
  return strongest;
}
