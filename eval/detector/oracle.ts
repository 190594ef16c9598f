// The known-rate reference (`npm run eval:detector -- --oracle`): detectors told what no real one
// can know, from the generator itself, that flag a user when a window of recent buckets lies above
// the rate they were told. Held to the same budget as ours (false blocks for a block, false throttles
// for a throttle), their recall per abuse type is what the traffic allows with that knowledge, and the steps between them show which knowledge
// a bar needs:
// - `rates`: each user's true expected count in every bucket, today's busyness included, and the
//   true noise around it (negative binomial per bucket);
// - `usual`: the user's usual rate at that time (daily shape, start, weekend), but not how busy
//   today is (the generator's day factor): its spread is part of the noise;
// - `usual+today`: the usual rate, and today's busyness estimated from the user's previous two
//   hours (a Bayesian update of the day factor's prior): what a day-level model could reach if it
//   knew the usual rates exactly;
// - `usual+today-raw`: the same estimate from the two hours alone, without the prior (as ours
//   takes it): whether the prior on how busy a day can be is what a day-level model lacks;
// - `learned+today`: `usual+today` with the usual rates learned, as any detector must, from the
//   user's own counts on the earlier days of the history ours reads (see `learnedUsual`); told only
//   the noise (the negative binomial shape and the day factor's spread). The step from
//   `usual+today` to this one is what knowing the usual rates is worth.
import { BUCKET_MS, BUCKETS_PER_DAY } from '../../core/shared/buckets';
import { excessZ } from '../../lambda/anomaly-detector/stats';
import { localDayBeginsMs } from './population';
import { blocksBenign, episodesByEntity, score, type Score } from './metrics';
import type { BlockEvent } from './replay';
import type { AbuseType, Traffic } from './traffic';

/**
 * Windows tried at every run, in buckets ending with the newest: 15 minutes to 2 hours. Not longer:
 * a block more than 2 hours after an episode ends is a false block (as for ours), and a longer
 * window would still hold the abuse then.
 */
const WINDOWS = [1, 2, 3, 4, 6, 8];
/** An action lasts a first action's hour: no second one on the same user inside it. */
const ACTION_MS = 3_600_000;

/** Abuse the reference can judge: volume above a known user's own rate (not new accounts or IPs). */
export const ORACLE_TYPES: readonly AbuseType[] = [
  'burst 3x',
  'burst 5x',
  'burst 10x+',
  'slow ramp',
  'compromised heavy user',
];

/** What the reference is told; see the top of the file. */
export type OracleKnowledge = 'rates' | 'usual' | 'usual+today' | 'usual+today-raw' | 'learned+today';
export const ORACLE_KNOWLEDGE: readonly OracleKnowledge[] = [
  'rates',
  'usual',
  'usual+today',
  'usual+today-raw',
  'learned+today',
];
/** Earlier days `learned+today` learns from: as many as ours reads (ANOMALY_HISTORY_DAYS). */
const LEARNED_DAYS = 7;
/** Earlier days of the same kind (weekday or weekend) a learned rate rests on, about. */
const LEARNED_DAYS_OF_CLASS = 4;
/** Buckets either side of a clock time averaged on each earlier day: a day starts ±30 minutes. */
const LEARNED_SMOOTHING = 2;
/** The least usual rate `learned+today` assumes per bucket: an hour idle on every earlier day may be busy. */
const LEARNED_FLOOR = 0.25;
/** Buckets either way a learned rate may be shifted to today's clock: a day starts up to an hour early or late. */
const LEARNED_SHIFT = 4;
/** Buckets before a window from which `usual+today` estimates today's busyness: two hours. */
const TODAY_BUCKETS = 8;
/** The least level `usual+today-raw` assumes (1/20 of the usual rate). */
const MIN_RAW_LEVEL = 0.05;

export interface OracleResult {
  /** z-score at which it flags: the lowest that keeps its false blocks within the budget. */
  threshold: number;
  score: Score;
}

/**
 * The strongest evidence at every run (after warm-up) for every user: the largest z over the
 * windows, each window's count judged against the mean the reference knows, with the variance that
 * remains (negative binomial per bucket, Poisson for a batch job's run, plus what it does not know
 * of today's busyness). Runs whose windows touch traffic the truth does not describe (the outage's
 * retries, the catch-up after it) are left out (NaN).
 */
function strongestEvidence(traffic: Traffic, knowledge: OracleKnowledge): Float32Array {
  const users = traffic.profiles.length;
  const n = traffic.entities.length;
  const runs = traffic.bucketCount - traffic.warmupBuckets;
  const { requests, errors5xx } = traffic.columns;
  const out = new Float32Array(runs * users);
  // Prefix sums over time: counted requests, the mean told, and its negative binomial variance.
  const observed = new Float64Array(traffic.bucketCount + 1);
  const mean = new Float64Array(traffic.bucketCount + 1);
  const variance = new Float64Array(traffic.bucketCount + 1);
  const unknown = new Int32Array(traffic.bucketCount + 1);
  for (let t = 0; t < traffic.bucketCount; t++) unknown[t + 1] = unknown[t]! + traffic.unmodelled[t]!;
  const learned = knowledge === 'learned+today' ? learnedUsual(traffic) : undefined;
  // Buckets in which the learned rate is missing (a newcomer): judged by no reference.
  const missing = new Int32Array(traffic.bucketCount + 1);
  for (let u = 0; u < users; u++) {
    const p = traffic.profiles[u]!;
    for (let t = 0; t < traffic.bucketCount; t++) {
      const i = t * n + u;
      const truth = traffic.means[t * users + u]!;
      let mu = learned
        ? learned[t * users + u]!
        : knowledge === 'rates'
          ? truth
          : truth / traffic.dayLevels[t * users + u]!;
      missing[t + 1] = missing[t]! + (Number.isNaN(mu) ? 1 : 0);
      if (Number.isNaN(mu)) mu = 0;
      const poisson = p.job !== undefined && truth > p.base;
      observed[t + 1] = observed[t]! + requests[i]! - errors5xx[i]!;
      mean[t + 1] = mean[t]! + mu;
      variance[t + 1] = variance[t]! + mu + (poisson ? 0 : (mu * mu) / p.k);
    }
    // Relative variance of the day factor (lognormal): all of a day's buckets share it.
    // A learned usual rate is a median of a few days, each at its own day factor: off by about
    // the day factor's spread over the root of their number, which the prior must allow for.
    const dayVariance =
      knowledge === 'rates'
        ? 0
        : (Math.exp(p.dayFactorSigma ** 2) - 1) * (learned ? 1 + Math.PI / 2 / LEARNED_DAYS_OF_CLASS : 1);
    for (let r = 0; r < runs; r++) {
      const end = traffic.warmupBuckets + r + 1;
      let best = Number.NEGATIVE_INFINITY;
      for (const w of WINDOWS) {
        const start = end - w;
        if (start < 0) break;
        if (
          unknown[end]! - unknown[start]! > 0 ||
          missing[end]! - missing[Math.max(0, start - TODAY_BUCKETS)]! > 0
        ) {
          best = Number.NaN;
          break;
        }
        let level = 1;
        let levelVariance = dayVariance;
        if (knowledge !== 'rates' && knowledge !== 'usual') {
          // Today's busyness from the two hours before the window (not before the local day began),
          // their count against the usual mean: prior and estimate weighted by their precision.
          const prior = knowledge === 'usual+today-raw' ? Number.POSITIVE_INFINITY : dayVariance;
          [level, levelVariance] = todayLevel(traffic, u, start, observed, mean, variance, prior);
        }
        const m = (mean[end]! - mean[start]!) * level;
        const noise =
          m > 0
            ? (variance[end]! - variance[start]! - (mean[end]! - mean[start]!)) /
              (mean[end]! - mean[start]!) ** 2
            : 0;
        const z = excessZ(observed[end]! - observed[start]!, m, noise + levelVariance / (level * level));
        if (z > best) best = z;
      }
      out[r * users + u] = best;
    }
  }
  return out;
}

const isWeekend = (ms: number) => {
  const day = new Date(ms).getUTCDay();
  return day === 0 || day === 6;
};

/** Median of a handful of values (their mean with fewer than 3); sorts them. 0 when empty. */
function central(values: number[]): number {
  const c = values.length;
  if (c === 0) return 0;
  if (c < 3) return values.reduce((a, b) => a + b, 0) / c;
  values.sort((a, b) => a - b);
  return c % 2 === 1 ? values[c >> 1]! : (values[c / 2 - 1]! + values[c / 2]!) / 2;
}

/**
 * Every user's usual count in every bucket (bucket-major over profiles) as a detector could learn
 * it from the user's own counted requests: on each of the LEARNED_DAYS earlier days of the same
 * kind (weekday or weekend, by the UTC calendar: the user's time zone is not known), the count at
 * the same clock time and its average within LEARNED_SMOOTHING buckets; the median over those days
 * of each, the larger of the two (a daily job runs at one clock time, and smoothing would spread
 * it), at least LEARNED_FLOOR; the largest of these within LEARNED_SHIFT buckets (today may start
 * or end an hour early or late); then times how far the whole population is above its own learned
 * total in that bucket (a launch), never below 1. NaN in a user's first LEARNED_DAYS days (a
 * newcomer, which ours judges against the population instead).
 */
function learnedUsual(traffic: Traffic): Float32Array {
  const users = traffic.profiles.length;
  const n = traffic.entities.length;
  const { requests, errors5xx } = traffic.columns;
  const T = traffic.bucketCount;
  const counted = (t: number, u: number) => requests[t * n + u]! - errors5xx[t * n + u]!;
  const weekend = Uint8Array.from({ length: T }, (_, t) =>
    isWeekend(traffic.startMs + t * BUCKET_MS) ? 1 : 0,
  );
  const out = new Float32Array(T * users);
  const smoothed = new Float64Array(T);
  const row = new Float64Array(T);
  const raw: number[] = [];
  const smooth: number[] = [];
  for (let u = 0; u < users; u++) {
    let firstActive = T;
    for (let t = 0; t < T; t++) {
      if (firstActive === T && counted(t, u) > 0) firstActive = t;
      let sum = 0;
      const from = Math.max(0, t - LEARNED_SMOOTHING);
      const to = Math.min(T - 1, t + LEARNED_SMOOTHING);
      for (let j = from; j <= to; j++) sum += counted(j, u);
      smoothed[t] = sum / (to - from + 1);
    }
    for (let t = 0; t < T; t++) {
      if (t - firstActive < LEARNED_DAYS * BUCKETS_PER_DAY) {
        row[t] = Number.NaN;
        continue;
      }
      raw.length = 0;
      smooth.length = 0;
      for (let d = 1; d <= LEARNED_DAYS; d++) {
        const earlier = t - d * BUCKETS_PER_DAY;
        if (weekend[earlier] !== weekend[t]) continue;
        raw.push(counted(earlier, u));
        smooth.push(smoothed[earlier]!);
      }
      row[t] = Math.max(LEARNED_FLOOR, central(raw), central(smooth));
    }
    for (let t = 0; t < T; t++) {
      // (NaN stays NaN: no comparison with it holds.)
      let top = row[t]!;
      for (let j = Math.max(0, t - LEARNED_SHIFT); j <= Math.min(T - 1, t + LEARNED_SHIFT); j++)
        if (row[j]! > top) top = row[j]!;
      out[t * users + u] = top;
    }
  }
  for (let t = 0; t < T; t++) {
    let now = 0;
    let usual = 0;
    for (let u = 0; u < users; u++) {
      const v = out[t * users + u]!;
      if (Number.isNaN(v)) continue;
      now += counted(t, u);
      usual += v;
    }
    const factor = usual > 0 ? Math.max(1, now / usual) : 1;
    for (let u = 0; u < users; u++) out[t * users + u]! *= factor;
  }
  return out;
}

/**
 * Today's level (day factor) for user `u` before bucket `start`, and the variance left around it.
 * With an infinite prior variance, the two hours' estimate alone (at least MIN_RAW_LEVEL: an idle
 * reference would otherwise predict nothing at all).
 */
function todayLevel(
  traffic: Traffic,
  u: number,
  start: number,
  observed: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
  prior: number,
): [number, number] {
  const p = traffic.profiles[u]!;
  const dayBegins = localDayBeginsMs(p, traffic.startMs + start * BUCKET_MS);
  const first = Math.max(0, start - TODAY_BUCKETS, Math.ceil((dayBegins - traffic.startMs) / BUCKET_MS));
  const usual = mean[start]! - mean[first]!;
  if (usual < 0.5) return [1, prior];
  const estimate = (observed[start]! - observed[first]!) / usual;
  const estimateVariance = 1 / usual + (variance[start]! - variance[first]! - usual) / (usual * usual);
  if (prior === Number.POSITIVE_INFINITY) return [Math.max(estimate, MIN_RAW_LEVEL), estimateVariance];
  const precision = 1 / prior + 1 / estimateVariance;
  return [(1 / prior + estimate / estimateVariance) / precision, 1 / precision];
}

/**
 * Actions at `threshold`: a user is acted on at the first run its evidence reaches it, for an hour
 * (a first block's or throttle's duration).
 */
function actionsAt(
  traffic: Traffic,
  evidence: Float32Array,
  threshold: number,
  action: OracleAction,
): BlockEvent[] {
  const users = traffic.profiles.length;
  const runs = evidence.length / users;
  const actions: BlockEvent[] = [];
  for (let u = 0; u < users; u++) {
    let until = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < runs; r++) {
      const at = traffic.startMs + (traffic.warmupBuckets + r + 1) * BUCKET_MS;
      if (at < until || !(evidence[r * users + u]! >= threshold)) continue;
      actions.push({ at, entity: u, signal: 'oracle', action });
      until = at + ACTION_MS;
    }
  }
  return actions;
}

/**
 * What a reference does when its evidence clears its threshold, and so the budget it is held to, as
 * ours is: a block's false blocks count organic bursts, a throttle's false throttles do not.
 */
export type OracleAction = 'block' | 'throttle';

/** The budgets of issue 26's bars, per 10,000 benign user-days. */
export const ORACLE_BUDGETS: Readonly<Record<OracleAction, number>> = { block: 1, throttle: 50 };

/**
 * The reference at the lowest threshold whose false actions stay within `falsePer10k` per 10,000
 * benign user-days. Needs traffic no replay has changed: the replay enforces our blocks in the
 * columns.
 */
export function runOracle(
  traffic: Traffic,
  knowledge: OracleKnowledge = 'rates',
  falsePer10k = ORACLE_BUDGETS.block,
  action: OracleAction = 'block',
): OracleResult {
  const evidence = strongestEvidence(traffic, knowledge);
  const episodesOf = episodesByEntity(traffic);
  const falseActions =
    action === 'block'
      ? (events: BlockEvent[]) => events.filter((b) => blocksBenign(b, episodesOf.get(b.entity))).length
      : (events: BlockEvent[]) => score(traffic, events).falseThrottles;
  const budget = (falsePer10k * traffic.benignUserDays) / 10_000;
  let lo = 1;
  let hi = 64;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (falseActions(actionsAt(traffic, evidence, mid, action)) <= budget) hi = mid;
    else lo = mid;
  }
  return { threshold: hi, score: score(traffic, actionsAt(traffic, evidence, hi, action)) };
}
