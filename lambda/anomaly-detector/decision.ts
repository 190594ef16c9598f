// What detection returns: one decision per flagged entity, with the signal that fired, the numbers
// behind it and a one-line reason a person can check against the traffic.
import type { BlockAction as ResponseAction, ThrottleLimit } from '../../core/shared/block-record';
import type { Entity } from '../../core/shared/entity';
import type { BaselineSource, PopulationStats } from './baseline';

/**
 * - `spike`: the original's rule, current hour / expected hourly rate >= ANOMALY_THRESHOLD.
 * - `surge`: a smaller ratio (>= ANOMALY_SURGE_RATIO) that is statistically significant.
 * - `burst`: the same test on the newest 15, 30 or 45 minutes, for short bursts an hour dilutes.
 * - `ramp`: three hours of sustained growth ending far above the same hour on earlier days.
 * - `auth-storm`: failed authentications (401/403) far above the entity's own level.
 * - `enumeration`: many distinct endpoints with a high share of 4xx answers.
 * - `rate-limit`: rate-limited (429) in every bucket of the hour.
 */
export type SignalName = 'spike' | 'surge' | 'burst' | 'ramp' | 'auth-storm' | 'enumeration' | 'rate-limit';

/** Order in which a decision's primary signal is chosen when several fire. */
export const SIGNAL_PRIORITY: readonly SignalName[] = [
  'spike',
  'auth-storm',
  'burst',
  'surge',
  'ramp',
  'enumeration',
  'rate-limit',
];

export interface SignalHit {
  signal: SignalName;
  /** Length of the window `current` and `baseline` are counted over. */
  window: '15m' | '30m' | '45m' | '1h' | '90m' | '2h';
  /** What the entity did in the window (requests without 5xx, auth failures, 4xx or 429s). */
  current: number;
  /** What it was expected to do in the same window. */
  baseline: number;
  /** current / baseline (for enumeration and rate-limit: the error or 429 share). */
  ratio: number;
  /** Standard deviations above the expectation (for enumeration and rate-limit: distinct endpoints or 429s). */
  score: number;
  /** One line, numbers included. */
  reason: string;
  /** Where `baseline` came from, when not from the entity's expected rate (the day-level tests). */
  baselineSource?: BaselineSource;
  /**
   * Volume signals only: the significance this hit needs to count as block-worthy volume; a volume
   * hit fires from the lower throttle bar (see `throttleBar`). NaN when its ratio rules a block out.
   */
  blockBar?: number;
}

/** A flagged entity. */
export interface Decision extends SignalHit {
  entity: Entity;
  /** Where the expected rate came from. */
  baselineSource: BaselineSource;
  /** Other signals that fired for the same entity in this run. */
  otherSignals: SignalName[];
  /** On ANOMALY_ALLOWLIST: reported, never blocked or throttled. */
  allowlisted: boolean;
  /**
   * What the evidence warrants, before the entity's history is considered (escalation.ts): `block`
   * for an abuse signature or extreme volume, `throttle` for volume alone.
   */
  action: ResponseAction;
  /** Why that action, one line a person can check. */
  why: string;
  /** The throttle this entity gets if it is throttled: generous, from its own expected rate. */
  limit: ThrottleLimit;
  /** The hourly rate the throttle is scaled from (see `throttleLimit`). */
  usualHourly: number;
}

export interface Detection {
  /** Run time (epoch ms) and the current hour the decisions are about: [windowStart, windowEnd). */
  now: number;
  windowStart: number;
  windowEnd: number;
  /** Flagged entities, the strongest first. */
  decisions: Decision[];
  population: PopulationStats;
}
