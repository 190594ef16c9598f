// What to do about each decision, given what was done before: block (with fail2ban-style doubling
// for repeat offenders), block in shadow mode only on paper, report an allowlisted entity, or skip
// an entity already blocked or already reported for this episode. Pure; the handler and the
// evaluation apply the result to DynamoDB and to an in-memory table respectively.
import type { Decision } from './decision';
import type { BlockSettings } from './settings';

/** What is known about an entity before this run (epoch seconds unless noted). */
export interface EntityHistory {
  /** Expiry of the entity's current block, manual or automatic, if any. */
  blockExpiresAt?: number;
  /** Detector blocks (or shadow blocks) within the escalation window, the last one included. */
  strikes?: number;
  lastBlockedAt?: number;
  /** Alerts about this entity are suppressed until then (the episode is already reported). */
  alertedUntil?: number;
  /** End (epoch ms) of the last window this entity was processed for: a rerun is a no-op. */
  lastWindowEnd?: number;
}

export type Action =
  | { kind: 'block'; decision: Decision; strikes: number; blockedAt: number; expiresAt: number }
  | { kind: 'shadow'; decision: Decision; strikes: number; blockedAt: number; expiresAt: number }
  | { kind: 'report'; decision: Decision; reason: 'allowlisted'; until: number }
  | { kind: 'skip'; decision: Decision; reason: 'already-blocked' | 'already-reported' };

export type AlertedAction = Exclude<Action, { kind: 'skip' }>;

/** Block duration for the n-th strike: the first block's TTL, doubled per repeat, capped. */
export function blockDurationSeconds(strikes: number, settings: BlockSettings): number {
  const doubled = settings.anomalyAutoBlockTtlSeconds * Math.pow(2, Math.max(0, strikes - 1));
  return Math.min(settings.anomalyMaxBlockTtlSeconds, doubled);
}

export function planAction(
  decision: Decision,
  history: EntityHistory | undefined,
  settings: BlockSettings,
  now: number,
  windowEnd: number,
): Action {
  const nowSeconds = Math.floor(now / 1000);
  if (history?.lastWindowEnd !== undefined && history.lastWindowEnd >= windowEnd) {
    return { kind: 'skip', decision, reason: 'already-reported' };
  }
  if (history?.blockExpiresAt !== undefined && history.blockExpiresAt > nowSeconds) {
    return { kind: 'skip', decision, reason: 'already-blocked' };
  }
  if (history?.alertedUntil !== undefined && history.alertedUntil > nowSeconds) {
    return { kind: 'skip', decision, reason: 'already-reported' };
  }
  if (decision.allowlisted) {
    return {
      kind: 'report',
      decision,
      reason: 'allowlisted',
      until: nowSeconds + settings.anomalyAutoBlockTtlSeconds,
    };
  }
  const repeat =
    history?.lastBlockedAt !== undefined &&
    nowSeconds - history.lastBlockedAt <= settings.anomalyEscalationWindowSeconds;
  const strikes = repeat ? (history.strikes ?? 1) + 1 : 1;
  const expiresAt = nowSeconds + blockDurationSeconds(strikes, settings);
  return {
    kind: settings.anomalyAutoBlock ? 'block' : 'shadow',
    decision,
    strikes,
    blockedAt: nowSeconds,
    expiresAt,
  };
}

/** The history after an action, to store (handler) or keep in memory (evaluation). */
export function historyAfter(
  action: AlertedAction,
  previous: EntityHistory | undefined,
  windowEnd: number,
): EntityHistory {
  if (action.kind === 'report') {
    return { ...previous, alertedUntil: action.until, lastWindowEnd: windowEnd };
  }
  return {
    ...previous,
    strikes: action.strikes,
    lastBlockedAt: action.blockedAt,
    alertedUntil: action.expiresAt,
    lastWindowEnd: windowEnd,
    ...(action.kind === 'block' ? { blockExpiresAt: action.expiresAt } : {}),
  };
}
