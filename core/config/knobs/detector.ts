// Knobs of the anomaly detector. The original's four knobs keep their names and meaning; every
// threshold of the newer signals is a knob too, so a deployment can tune without a rebuild.
import { parseAllowlistEntry } from '../../shared/allowlist-entry';
import { knob } from '../knob';
import type { ValueType } from '../value-types';
import { booleanType, durationType, intType, listType, numberType } from '../value-types';

function allowlistEntryType(): ValueType<string> {
  return {
    describe: 'user:<id>, ip:<address> or ip:<cidr>',
    parse(raw) {
      const result = parseAllowlistEntry(raw.trim());
      return result.ok
        ? { ok: true, value: raw.trim() }
        : { ok: false, problem: 'is not a user, IP or CIDR entry', hint: result.problem };
    },
    format: (value) => value,
  };
}

const consumers = ['detector', 'template'] as const;

export const detectorKnobs = {
  anomalyThreshold: knob(numberType({ min: 1, max: 1000 }), {
    description:
      "Ratio of the current hour to the expected hourly rate that flags a user on its own (the original's rule; the expected rate also knows the same hour on earlier days, new users and population surges).",
    presets: { cost: 8, performance: 5 },
    consumers,
  }),
  anomalyMinRequests: knob(intType({ min: 1, max: 10_000_000 }), {
    description: 'Requests in the current hour below which a user is never flagged by volume.',
    presets: { cost: 40, performance: 60 },
    consumers,
  }),
  anomalyAutoBlock: knob(booleanType(), {
    description: 'Block and throttle flagged entities; false is shadow mode (detect and alert only).',
    presets: { cost: true, performance: true },
    consumers,
  }),
  anomalyAutoBlockTtlSeconds: knob(durationType({ min: 60, max: 30 * 86400 }), {
    description: 'How long a first automatic block lasts; repeat offenders get doubling durations.',
    presets: { cost: 3600, performance: 3600 },
    consumers,
  }),
  anomalyMaxBlockTtlSeconds: knob(durationType({ min: 60, max: 365 * 86400 }), {
    description: 'Cap on an escalated block duration.',
    default: 7 * 86400,
    consumers,
  }),
  anomalyEscalationWindowSeconds: knob(durationType({ min: 0, max: 30 * 86400 }), {
    description:
      'A new block within this time of the previous one counts as a repeat offence and doubles the duration.',
    presets: { cost: 86400, performance: 86400 },
    consumers,
  }),
  anomalyThrottleSignificance: knob(numberType({ min: 0, max: 50 }), {
    description:
      'Standard deviations above the expected count at which volume alone (spike, surge, burst, ramp, a new account) throttles the entity; lower than the block bars, because a generous throttle costs a benign burst almost nothing.',
    presets: { cost: 3.75, performance: 3.25 },
    consumers,
  }),
  anomalyTodayThrottleSignificance: knob(numberType({ min: 0, max: 50 }), {
    description:
      "Standard deviations above today's level (the two hours before a window) at which volume throttles; above ANOMALY_THROTTLE_SIGNIFICANCE, as that level rests on a few of today's counts.",
    presets: { cost: 4.25, performance: 4 },
    consumers,
  }),
  anomalyThrottleInstantSignificance: knob(numberType({ min: 0, max: 1000 }), {
    description:
      'Standard deviations above the expected count at which a volume hit throttles in its first run; a weaker one must have come close in the run before (15 minutes earlier) too.',
    presets: { cost: 6, performance: 5.5 },
    consumers,
  }),
  anomalyThrottleFactor: knob(numberType({ min: 3, max: 1000 }), {
    description:
      "Multiple of the entity's own expected hourly rate that a throttle still lets through (at least 3), so a benign burst keeps service well above its usual rate.",
    presets: { cost: 8, performance: 8 },
    consumers,
  }),
  anomalyThrottleMinRate: knob(numberType({ min: 0.001, max: 100_000 }), {
    description:
      'Requests per second a throttle always lets through, whatever the entity usually sends (the effective limit is the lower of this throttle and the normal rate limit).',
    presets: { cost: 0.5, performance: 2 },
    consumers,
  }),
  anomalyThrottleTtlSeconds: knob(durationType({ min: 60, max: 30 * 86400 }), {
    description: 'How long a first automatic throttle lasts; repeat throttles get doubling durations.',
    presets: { cost: 3600, performance: 3600 },
    consumers,
  }),
  anomalyThrottlePatienceSeconds: knob(durationType({ min: 0, max: 30 * 86400 }), {
    description:
      'How long a throttled entity must keep hitting its throttle (rate-limited in every 15 minutes of the last hour) before it is blocked; longer than a benign burst lasts.',
    presets: { cost: 5400, performance: 5400 },
    consumers,
  }),
  anomalyBlockVolumeRatio: knob(numberType({ min: 1, max: 100_000 }), {
    description:
      'Ratio to the expected rate from which volume alone blocks, when it also clears the block significance; below it volume only throttles (benign bursts reach tens of times their usual level).',
    presets: { cost: 100, performance: 100 },
    consumers,
  }),
  anomalyAllowlist: knob(listType(allowlistEntryType()), {
    description:
      'Users (user:<id>) and IPs or CIDRs (ip:<addr>[/len]) that are reported but never blocked or throttled.',
    default: [],
    consumers,
  }),
  anomalySurgeRatio: knob(numberType({ min: 1, max: 1000 }), {
    description:
      'Smallest ratio to the expected rate at which a statistically significant surge flags an entity (catches a heavy user going 500/h to 2,500/h, below the plain ratio threshold).',
    presets: { cost: 2.5, performance: 2 },
    consumers,
  }),
  anomalySignificance: knob(numberType({ min: 1, max: 50 }), {
    description:
      'How many standard deviations above the expected count (negative binomial, dispersion pooled over the population) a surge must be.',
    presets: { cost: 5.25, performance: 4.75 },
    consumers,
  }),
  anomalyNoiseSignificance: knob(numberType({ min: 0, max: 50 }), {
    description:
      "Standard deviations above the expected count a hit of the original's ratio rule needs, so the noise of a bursty low-volume user is not flagged.",
    presets: { cost: 4, performance: 3.5 },
    consumers,
  }),
  anomalyMinDispersion: knob(numberType({ min: 0, max: 10 }), {
    description:
      'Lower bound on the pooled overdispersion (1/k of the negative binomial), for runs with too few entities to estimate it.',
    presets: { cost: 0.05, performance: 0.05 },
    consumers,
  }),
  anomalyPriorPercentile: knob(numberType({ min: 0.5, max: 0.9999 }), {
    description:
      "Percentile of all users' hourly counts used as the expected rate of an entity new at this hour (fewer than 3 earlier days with traffic at it).",
    presets: { cost: 0.95, performance: 0.95 },
    consumers,
  }),
  anomalyPriorRatio: knob(numberType({ min: 1, max: 1000 }), {
    description:
      'Ratio to the population prior at which an entity new at this hour (a new account) is flagged, if significant; lower than the surge ratio because the prior is already a high percentile of users.',
    presets: { cost: 2, performance: 1.8 },
    consumers,
  }),
  anomalyPriorSustainedRatio: knob(numberType({ min: 1, max: 1000 }), {
    description:
      'Ratio to the population prior that an entity new at this hour must keep up for two hours in a row to be flagged (an abusive new account that stays just above what almost every user sends).',
    presets: { cost: 1.25, performance: 1.2 },
    consumers,
  }),
  anomalyInstantSignificance: knob(numberType({ min: 0, max: 1000 }), {
    description:
      'Standard deviations above the expected count at which a volume hit (spike, surge, burst, ramp) blocks in its first run; a weaker hit must fire again in the run before to count, so one noisy 15-minute bucket blocks nobody.',
    presets: { cost: 10, performance: 8 },
    consumers,
  }),
  anomalyConfirmationMargin: knob(numberType({ min: 0, max: 50 }), {
    description:
      'Standard deviations below its own bar at which the run before (15 minutes earlier) confirms a weaker volume hit: abuse that clears the bar now has usually come close to it a quarter of an hour ago, noise seldom comes close twice in a row.',
    presets: { cost: 0.5, performance: 0.5 },
    consumers,
  }),
  anomalyHistoryDays: knob(intType({ min: 0, max: 30 }), {
    description:
      'Earlier days whose same hour (±2 h) forms the seasonal baseline; keep below the aggregate retention (SENTINEL_API_AGGREGATE_TTL_DAYS). The significances are calibrated for 7: with 14 the evaluation flagged more benign users (npm run eval:detector before changing it).',
    presets: { cost: 7, performance: 7 },
    consumers,
  }),
  anomalyRampGrowth: knob(numberType({ min: 1.01, max: 10 }), {
    description:
      'Hourly growth (fitted over the last four hours, the last two rising) that together with an excess over the same hour on earlier days flags a slow ramp.',
    presets: { cost: 1.15, performance: 1.1 },
    consumers,
  }),
  anomalyRampSignificance: knob(numberType({ min: 0, max: 50 }), {
    description:
      'Standard deviations above the same hour on earlier days a slow ramp needs; lower than a surge because the sustained growth is evidence too.',
    presets: { cost: 3.75, performance: 3.5 },
    consumers,
  }),
  anomalyAuthFailureThreshold: knob(intType({ min: 1, max: 10_000_000 }), {
    description:
      'Failed authentications (401/403) per hour from one client IP below which it is never flagged.',
    presets: { cost: 40, performance: 30 },
    consumers,
  }),
  anomalyEnumerationMinEndpoints: knob(intType({ min: 2, max: 100_000 }), {
    description: 'Distinct endpoints in one 15-minute bucket that, with a high 4xx share, flag enumeration.',
    presets: { cost: 25, performance: 20 },
    consumers,
  }),
  anomalyEnumerationErrorShare: knob(numberType({ min: 0.01, max: 1 }), {
    description: 'Share of 4xx answers (other than 401/403/429) in the current hour that flags enumeration.',
    presets: { cost: 0.5, performance: 0.4 },
    consumers,
  }),
  anomalyRateLimitedShare: knob(numberType({ min: 0.001, max: 1 }), {
    description:
      'Share of rate-limited (429) requests in every bucket of the current hour that flags a user hammering the limit.',
    presets: { cost: 0.1, performance: 0.05 },
    consumers,
  }),
};
