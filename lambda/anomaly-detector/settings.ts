// The knobs detection reads, under their schema names: a resolved `Config` (loadConfig().values)
// fits as is, and offline callers can pass just these fields.
import type { Config } from '../../core/config/schema';

export type DetectorSettings = Pick<
  Config,
  | 'anomalyThreshold'
  | 'anomalyMinRequests'
  | 'anomalySurgeRatio'
  | 'anomalySignificance'
  | 'anomalyNoiseSignificance'
  | 'anomalyMinDispersion'
  | 'anomalyPriorPercentile'
  | 'anomalyPriorRatio'
  | 'anomalyPriorSustainedRatio'
  | 'anomalyInstantSignificance'
  | 'anomalyConfirmationMargin'
  | 'anomalyHistoryDays'
  | 'anomalyRampGrowth'
  | 'anomalyRampSignificance'
  | 'anomalyAuthFailureThreshold'
  | 'anomalyEnumerationMinEndpoints'
  | 'anomalyEnumerationErrorShare'
  | 'anomalyRateLimitedShare'
  | 'anomalyAllowlist'
  | 'anomalyThrottleSignificance'
  | 'anomalyThrottleInstantSignificance'
  | 'anomalyTodayThrottleSignificance'
  | 'anomalyThrottleFactor'
  | 'anomalyThrottleMinRate'
  | 'anomalyBlockVolumeRatio'
>;

/** What blocking and throttling read on top of detection. */
export type BlockSettings = Pick<
  Config,
  | 'anomalyAutoBlock'
  | 'anomalyAutoBlockTtlSeconds'
  | 'anomalyThrottleTtlSeconds'
  | 'anomalyThrottlePatienceSeconds'
  | 'anomalyMaxBlockTtlSeconds'
  | 'anomalyEscalationWindowSeconds'
>;
