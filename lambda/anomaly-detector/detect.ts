// The pure detection core: buckets in, decisions out. No I/O and no clock: `now` is given, so the
// handler, the tests and the offline evaluation run exactly the same code on the same numbers.
import { BUCKET_MS, BUCKETS_PER_HOUR } from '../../core/shared/buckets';
import { compileAllowlist } from './allowlist';
import { BASELINE_SOURCES, computeBaselines } from './baseline';
import type { Decision, Detection, SignalHit, SignalName } from './decision';
import { SIGNAL_PRIORITY } from './decision';
import type { DetectInput } from './input';
import { assertValidInput } from './input';
import { entityKey } from '../../core/shared/entity';
import type { DetectorSettings } from './settings';
import { authStorm } from './signals/auth-storm';
import type { Signal, SignalContext } from './signals/context';
import { enumeration } from './signals/enumeration';
import { ramp } from './signals/ramp';
import { rateLimitSaturation } from './signals/rate-limit';
import { bucketBurst, hourVolume, todayVolume } from './signals/volume';
import { computeWindows } from './windows';
import { blockWorthy, byResponse, explainResponse, throttleLimit } from './response';

const SIGNALS: readonly Signal[] = [
  hourVolume,
  bucketBurst,
  todayVolume,
  ramp,
  authStorm,
  enumeration,
  rateLimitSaturation,
];
const rank = (hit: SignalHit) => SIGNAL_PRIORITY.indexOf(hit.signal);

/**
 * Volume signals judge counts against an estimate of what is usual, and one overdispersed bucket
 * clears any threshold now and then. So a volume hit below ANOMALY_INSTANT_SIGNIFICANCE (to block)
 * or ANOMALY_THROTTLE_INSTANT_SIGNIFICANCE (to throttle) counts only when the run before (15 minutes earlier, on the same data) flagged the entity too: abuse persists,
 * noise rarely fires twice in a row. The run before is held to bars ANOMALY_CONFIRMATION_MARGIN lower
 * (a Schmitt trigger): a burst that began inside the last quarter hour of that run's window showed
 * there only in part. That run is replayed rather than remembered, so detection stays a pure
 * function of the aggregates and a rerun over the same window decides the same.
 */
const NEEDS_CONFIRMATION: ReadonlySet<SignalName> = new Set(['spike', 'surge', 'burst', 'ramp']);

/**
 * Decides which entities are anomalous in the hour that ends at the last complete bucket before
 * `now` (epoch ms), and what each warrants (`Decision.action`). Reads the current hour, the 8 hours
 * before it and the same hour (from 3 h before to 2 h after) on the `anomalyHistoryDays` earlier
 * days, for this run and the one before it (the buckets `requiredBucketStarts` lists); other buckets
 * are ignored. Decisions are sorted by score.
 */
export function detect(input: DetectInput, settings: DetectorSettings, now: number): Detection {
  assertValidInput(input);
  const detection = detectOnce(input, settings, now);
  const instant = (d: Decision) =>
    d.score >=
    (d.action === 'block'
      ? settings.anomalyInstantSignificance
      : settings.anomalyThrottleInstantSignificance);
  const unconfirmed = (d: Decision) => NEEDS_CONFIRMATION.has(d.signal) && !instant(d);
  if (!detection.decisions.some(unconfirmed)) return detection;
  const lowered = confirmationSettings(settings);
  const before = detectOnce(input, lowered, now - BUCKET_MS);
  const flaggedBefore = new Map<string, Decision['action']>();
  for (const d of before.decisions) {
    if (NEEDS_CONFIRMATION.has(d.signal)) flaggedBefore.set(entityKey(d.entity), d.action);
  }
  const confirmed: Decision[] = [];
  for (const decision of detection.decisions) {
    if (!unconfirmed(decision)) {
      confirmed.push(decision);
      continue;
    }
    const previous = flaggedBefore.get(entityKey(decision.entity));
    if (decision.action === 'block' && previous === 'block') {
      confirmed.push(decision);
      continue;
    }
    // Block-worthy volume that the run before did not confirm as such still throttles.
    const throttle = decision.action === 'block' ? asThrottle(decision, settings) : decision;
    if (previous !== undefined || instant(throttle)) confirmed.push(throttle);
  }
  detection.decisions = confirmed;
  return detection;
}

/** A volume decision downgraded from block to throttle. */
function asThrottle(decision: Decision, settings: DetectorSettings): Decision {
  return {
    ...decision,
    action: 'throttle',
    why: explainResponse('throttle', decision, decision.limit, decision.usualHourly, settings),
  };
}

/** The volume signals' significance bars, lowered by the confirmation margin (never below 0). */
function confirmationSettings(settings: DetectorSettings): DetectorSettings {
  const lower = (bar: number) => Math.max(0, bar - settings.anomalyConfirmationMargin);
  return {
    ...settings,
    anomalySignificance: lower(settings.anomalySignificance),
    anomalyNoiseSignificance: lower(settings.anomalyNoiseSignificance),
    anomalyRampSignificance: lower(settings.anomalyRampSignificance),
    anomalyThrottleSignificance: lower(settings.anomalyThrottleSignificance),
    anomalyTodayThrottleSignificance: lower(settings.anomalyTodayThrottleSignificance),
  };
}

/**
 * What a throttle of entity `e` is scaled from: the highest of its expected rate this hour, its
 * average over the 8 hours before, its usual level at this hour on earlier days, today's level (the
 * two hours before this one times the hour's usual ratio to them) and what it sent in the hour before
 * this one. A quiet hour after a busy evening still leaves it its evening's rate, a busy day (a high
 * day factor, an event) its day's rate, which the earlier days do not know, and no throttle refuses
 * a benign user the service it had an hour ago.
 */
function usualHourlyOf(ctx: SignalContext, e: number): number {
  const b = ctx.baselines;
  const today = b.today.find((t) => t.buckets === BUCKETS_PER_HOUR)?.expected[e] ?? Number.NaN;
  return Math.max(
    b.expected[e]!,
    b.recent[e]!,
    b.population.factor * ctx.windows.seasonalLevel[e]!,
    Number.isNaN(today) ? 0 : today,
    ctx.windows.hours[1]![e]!,
  );
}

/** One run's decisions, before confirmation. */
function detectOnce(input: DetectInput, settings: DetectorSettings, now: number): Detection {
  const windows = computeWindows(input, now, settings.anomalyHistoryDays);
  const baselines = computeBaselines(input.entities, windows, settings);
  const ctx: SignalContext = { entities: input.entities, windows, baselines, settings };
  const allowlist = compileAllowlist(settings.anomalyAllowlist);
  const decisions: Decision[] = [];
  for (let e = 0; e < input.entities.length; e++) {
    let hits: SignalHit[] | undefined;
    for (const signal of SIGNALS) {
      const hit = signal(ctx, e);
      if (hit) (hits ??= []).push(hit);
    }
    if (!hits) continue;
    const usualHourly = usualHourlyOf(ctx, e);
    hits.sort(byResponse(settings, rank, usualHourly));
    const entity = input.entities[e]!;
    const hit = hits[0]!;
    const action = blockWorthy(hit, settings, usualHourly) ? 'block' : 'throttle';
    const limit = throttleLimit(usualHourly, settings);
    decisions.push({
      ...hit,
      entity,
      baselineSource: hit.baselineSource ?? BASELINE_SOURCES[baselines.source[e]!]!,
      otherSignals: hits.slice(1).map((h) => h.signal),
      allowlisted: allowlist.has(entity),
      action,
      why: explainResponse(action, hit, limit, usualHourly, settings),
      limit,
      usualHourly,
    });
  }
  decisions.sort((a, b) => b.score - a.score || b.ratio - a.ratio);
  return {
    now,
    windowStart: windows.currentHourStart,
    windowEnd: windows.currentHourStart + BUCKETS_PER_HOUR * BUCKET_MS,
    decisions,
    population: baselines.population,
  };
}
