// What to do about each decision, given what was done before: block or throttle (fail2ban-style
// doubling for repeat offenders), act in shadow mode only on paper, report an allowlisted entity,
// or skip an entity already handled. History turns a throttle into a block in two cases: a repeat
// offender (blocked within the escalation window), and a throttled entity that keeps hitting its
// throttle for longer than a benign burst lasts. Pure; the handler and the evaluation apply the
// result to DynamoDB and to an in-memory table respectively.
import type { BlockAction, ThrottleLimit } from '../../core/shared/block-record';
import type { Decision } from './decision';
import { fmt } from './signals/context';
import type { BlockSettings } from './settings';

/** What is known about an entity before this run (epoch seconds unless noted). */
export interface EntityHistory {
  /** Expiry of the entity's current block, manual or automatic, if any. */
  blockExpiresAt?: number;
  /** Expiry of the entity's current throttle, manual or automatic, if any. */
  throttleExpiresAt?: number;
  /** Detector blocks (or shadow blocks) within the escalation window, the last one included. */
  strikes?: number;
  lastBlockedAt?: number;
  /** The same for throttles. */
  throttleStrikes?: number;
  lastThrottledAt?: number;
  /** Start of the current run of back-to-back throttles (a throttle renewed as it ends continues it). */
  throttledSince?: number;
  /** End of the last detector throttle (or shadow throttle), in force or not. */
  throttledUntil?: number;
  /** Alerts about this entity are suppressed until then (the episode is already reported)... */
  alertedUntil?: number;
  /** ...for this action or a milder one (absent: any action). */
  alertedAction?: BlockAction | 'report';
  /** End (epoch ms) of the last window this entity was processed for: a rerun is a no-op. */
  lastWindowEnd?: number;
}

/** A block or throttle, enforced or (in shadow mode) only reported. */
interface Enforcement {
  decision: Decision;
  response: BlockAction;
  /** Why this action: the decision's reason for it, or what the history added. */
  why: string;
  strikes: number;
  blockedAt: number;
  expiresAt: number;
  /** Present exactly for throttles. */
  limit?: ThrottleLimit;
}

export type Action =
  | (Enforcement & { kind: 'block' | 'throttle' | 'shadow' })
  | { kind: 'report'; decision: Decision; reason: 'allowlisted'; until: number }
  | {
      kind: 'skip';
      decision: Decision;
      reason: 'already-blocked' | 'already-throttled' | 'already-reported';
    };

export type AlertedAction = Exclude<Action, { kind: 'skip' }>;

/** Duration for the n-th strike: the first one's TTL, doubled per repeat, capped. */
export function blockDurationSeconds(strikes: number, settings: BlockSettings, firstTtl?: number): number {
  const doubled = (firstTtl ?? settings.anomalyAutoBlockTtlSeconds) * Math.pow(2, Math.max(0, strikes - 1));
  return Math.min(settings.anomalyMaxBlockTtlSeconds, doubled);
}

/** A throttle renewed within this long of the previous one's end continues the same run. */
const THROTTLE_CONTINUITY_SECONDS = 15 * 60;

const SEVERITY = { report: 0, throttle: 1, block: 2 } as const;
/** The hour a decision is about. */
const WINDOW_MS = 3_600_000;

export function planAction(
  decision: Decision,
  history: EntityHistory | undefined,
  settings: BlockSettings,
  now: number,
  windowEnd: number,
): Action {
  const nowSeconds = Math.floor(now / 1000);
  const active = (until: number | undefined) => until !== undefined && until > nowSeconds;
  if (history?.lastWindowEnd !== undefined && history.lastWindowEnd >= windowEnd) {
    return { kind: 'skip', decision, reason: 'already-reported' };
  }
  if (active(history?.blockExpiresAt)) return { kind: 'skip', decision, reason: 'already-blocked' };
  const [response, why] = escalate(decision, history, settings, nowSeconds, windowEnd);
  if (response === 'throttle' && active(history?.throttleExpiresAt)) {
    return { kind: 'skip', decision, reason: 'already-throttled' };
  }
  const alerted = history?.alertedAction ?? 'block';
  if (active(history?.alertedUntil) && (decision.allowlisted || SEVERITY[response] <= SEVERITY[alerted])) {
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
  const within = (at: number | undefined) =>
    at !== undefined && nowSeconds - at <= settings.anomalyEscalationWindowSeconds;
  const kind = settings.anomalyAutoBlock ? response : 'shadow';
  if (response === 'block') {
    const strikes = within(history?.lastBlockedAt) ? (history!.strikes ?? 1) + 1 : 1;
    const expiresAt = nowSeconds + blockDurationSeconds(strikes, settings);
    return { kind, decision, response, why, strikes, blockedAt: nowSeconds, expiresAt };
  }
  const strikes = within(history?.lastThrottledAt) ? (history!.throttleStrikes ?? 1) + 1 : 1;
  const expiresAt = nowSeconds + blockDurationSeconds(strikes, settings, settings.anomalyThrottleTtlSeconds);
  return {
    kind,
    decision,
    response,
    why,
    strikes,
    blockedAt: nowSeconds,
    expiresAt,
    limit: decision.limit,
  };
}

/** The action the decision warrants once the entity's history is considered, and why. */
function escalate(
  decision: Decision,
  history: EntityHistory | undefined,
  settings: BlockSettings,
  nowSeconds: number,
  windowEnd: number,
): [BlockAction, string] {
  const hammering = decision.signal === 'rate-limit' || decision.otherSignals.includes('rate-limit');
  // 429s while our throttle was in force are the throttle's own: they show the entity kept sending,
  // which blocks only once it has done so for longer than a benign burst lasts.
  const throttledInWindow =
    history?.throttledUntil !== undefined && history.throttledUntil * 1000 > windowEnd - WINDOW_MS;
  const since = history?.throttledSince;
  if (hammering && throttledInWindow) {
    if (since !== undefined && nowSeconds - since >= settings.anomalyThrottlePatienceSeconds) {
      return ['block', `kept hitting its throttle for ${fmt((nowSeconds - since) / 60)} min: blocked`];
    }
    if (decision.signal === 'rate-limit') return ['throttle', decision.why];
  }
  if (decision.action === 'block') return ['block', decision.why];
  const last = history?.lastBlockedAt;
  if (last !== undefined && nowSeconds - last <= settings.anomalyEscalationWindowSeconds) {
    return [
      'block',
      `repeat offender (blocked ${fmt((nowSeconds - last) / 60)} min ago), ${decision.why.replace(/: throttled to .*$/, '')}: blocked`,
    ];
  }
  return ['throttle', decision.why];
}

/** The history after an action, to store (handler) or keep in memory (evaluation). */
export function historyAfter(
  action: AlertedAction,
  previous: EntityHistory | undefined,
  windowEnd: number,
): EntityHistory {
  if (action.kind === 'report') {
    return { ...previous, alertedUntil: action.until, alertedAction: 'report', lastWindowEnd: windowEnd };
  }
  const common = { alertedUntil: action.expiresAt, alertedAction: action.response, lastWindowEnd: windowEnd };
  if (action.response === 'block') {
    return {
      ...previous,
      ...common,
      strikes: action.strikes,
      lastBlockedAt: action.blockedAt,
      ...(action.kind === 'block' ? { blockExpiresAt: action.expiresAt } : {}),
    };
  }
  const until = previous?.throttledUntil;
  const continues =
    previous?.throttledSince !== undefined &&
    until !== undefined &&
    action.blockedAt - until <= THROTTLE_CONTINUITY_SECONDS;
  return {
    ...previous,
    ...common,
    throttleStrikes: action.strikes,
    lastThrottledAt: action.blockedAt,
    throttledSince: continues ? previous.throttledSince : action.blockedAt,
    throttledUntil: action.expiresAt,
    ...(action.kind === 'throttle' ? { throttleExpiresAt: action.expiresAt } : {}),
  };
}
