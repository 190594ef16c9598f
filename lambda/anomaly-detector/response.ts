// The graduated response: which action one run's evidence warrants. Volume alone says that a client
// is unusual, not that it is abusive, and real users burst to tens of times their usual level; a
// generous throttle costs such a user almost nothing, so volume throttles, at a lower bar than a
// block. Abuse signatures (auth storms, enumeration, hammering the rate limit) block, and so does
// volume far beyond anything a benign burst reaches. The entity's history (a repeat offender, a
// throttle it keeps hitting) is applied afterwards, in escalation.ts.
import type { BlockAction, ThrottleLimit } from '../../core/shared/block-record';
import type { SignalHit, SignalName } from './decision';
import { fmt, fmt1 } from './signals/context';
import type { DetectorSettings } from './settings';

type ResponseSettings = Pick<
  DetectorSettings,
  | 'anomalyThrottleSignificance'
  | 'anomalyThrottleFactor'
  | 'anomalyThrottleMinRate'
  | 'anomalyBlockVolumeRatio'
>;

/** Signals that describe abuse itself, not just unusual volume: they block. */
export const SIGNATURE_SIGNALS: ReadonlySet<SignalName> = new Set([
  'auth-storm',
  'enumeration',
  'rate-limit',
]);

/** The significance from which a volume hit with block bar `blockBar` throttles (NaN stays NaN). */
export function throttleBar(
  settings: Pick<DetectorSettings, 'anomalyThrottleSignificance'>,
  blockBar: number,
) {
  return Math.min(blockBar, settings.anomalyThrottleSignificance);
}

/** Seconds of the throttled rate a throttle's bucket holds: room for a page load's worth at once. */
const THROTTLE_BURST_SECONDS = 60;

/**
 * The throttle for an entity expected to send `usualHourly` requests an hour: ANOMALY_THROTTLE_FACTOR
 * times that (at least 3x, so a benign burst keeps far more than its usual service), never below
 * ANOMALY_THROTTLE_MIN_RATE per second.
 */
export function throttleLimit(usualHourly: number, settings: ResponseSettings): ThrottleLimit {
  const rate = Math.max(
    settings.anomalyThrottleMinRate,
    (settings.anomalyThrottleFactor * usualHourly) / 3600,
  );
  // Three significant digits, rounded up: a limit an operator can read, never below the computed one.
  const scale = 10 ** (Math.floor(Math.log10(rate)) - 2);
  const refillPerSecond = Math.ceil(rate / scale - 1e-9) * scale;
  return {
    capacity: Math.max(1, Math.ceil(refillPerSecond * THROTTLE_BURST_SECONDS)),
    refillPerSecond: Number(refillPerSecond.toPrecision(3)),
  };
}

const WINDOW_HOURS: Record<SignalHit['window'], number> = {
  '15m': 0.25,
  '30m': 0.5,
  '45m': 0.75,
  '1h': 1,
  '90m': 1.5,
  '2h': 2,
};

/**
 * Whether a hit warrants a block on its own evidence (before a volume hit is confirmed). Volume must
 * be beyond ANOMALY_BLOCK_VOLUME_RATIO both against its window's expectation and against the
 * entity's usual hourly rate (`usualHourly`, what its throttle is scaled from): a quiet hour's
 * expectation can be small enough for a benign burst to be 100 times it.
 */
export function blockWorthy(hit: SignalHit, settings: ResponseSettings, usualHourly: number): boolean {
  if (SIGNATURE_SIGNALS.has(hit.signal)) return true;
  const hourlyRate = hit.current / WINDOW_HOURS[hit.window];
  return (
    hit.score >= (hit.blockBar ?? Number.NaN) &&
    hit.ratio >= settings.anomalyBlockVolumeRatio &&
    hourlyRate >= settings.anomalyBlockVolumeRatio * usualHourly
  );
}

/** Orders an entity's hits: block-worthy first (signatures before volume), then by `rank`. */
export function byResponse(
  settings: ResponseSettings,
  rank: (hit: SignalHit) => number,
  usualHourly: number,
) {
  const tier = (hit: SignalHit) =>
    SIGNATURE_SIGNALS.has(hit.signal) ? 0 : blockWorthy(hit, settings, usualHourly) ? 1 : 2;
  return (a: SignalHit, b: SignalHit) => tier(a) - tier(b) || rank(a) - rank(b);
}

/** One line on why `action` follows from `hit`. */
export function explainResponse(
  action: BlockAction,
  hit: SignalHit,
  limit: ThrottleLimit,
  usualHourly: number,
  settings: ResponseSettings,
): string {
  if (action === 'throttle') {
    return `volume only (${hit.signal}): throttled to ${fmt1(limit.refillPerSecond)}/s, ${fmt1(settings.anomalyThrottleFactor)}x the usual ${fmt(usualHourly)}/h or at least ${fmt1(settings.anomalyThrottleMinRate)}/s`;
  }
  if (SIGNATURE_SIGNALS.has(hit.signal)) return `abuse signature (${hit.signal}): blocked`;
  return `volume ${fmt1(hit.ratio)}x the expected, beyond ${fmt1(settings.anomalyBlockVolumeRatio)}x and z=${fmt1(hit.score)} >= ${fmt1(hit.blockBar ?? Number.NaN)}: blocked`;
}
