// The one SNS message of a run: a subject with the counts by action, a text summary a person reads
// first (entity, signal, numbers, the action with why and until when), then the JSON details.
import { formatEntity } from '../../core/shared/entity';
import type { Detection } from './decision';
import type { AlertedAction } from './escalation';

export interface Alert {
  subject: string;
  message: string;
}

/** SNS caps a message at 256 KB; past this many entities the rest is summarised by count. */
const MAX_LISTED = 200;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

const rate = (a: { limit?: { refillPerSecond: number } }) => `${a.limit?.refillPerSecond ?? 0}/s`;

function outcome(action: AlertedAction): string {
  const repeat =
    action.kind !== 'report' && action.strikes > 1 ? ` (repeat offence ${action.strikes}, doubled)` : '';
  switch (action.kind) {
    case 'block':
      return `blocked until ${iso(action.expiresAt)}${repeat}`;
    case 'throttle':
      return `throttled to ${rate(action)} until ${iso(action.expiresAt)}${repeat}`;
    case 'shadow':
      return action.response === 'block'
        ? `shadow mode: would be blocked until ${iso(action.expiresAt)}`
        : `shadow mode: would be throttled to ${rate(action)} until ${iso(action.expiresAt)}`;
    case 'report':
      return 'allowlisted: reported, not blocked or throttled';
  }
}

export function formatAlert(actions: readonly AlertedAction[], detection: Detection): Alert | undefined {
  if (actions.length === 0) return undefined;
  const count = actions.length;
  const tally = (kind: string) =>
    actions.filter((a) => (a.kind === 'shadow' ? a.response : a.kind) === kind).length;
  const blocked = tally('block');
  const throttled = tally('throttle');
  const subject = `SentinelAPI: ${count} ${count === 1 ? 'anomaly' : 'anomalies'} detected (${blocked} blocked, ${throttled} throttled)`;
  const window = `${new Date(detection.windowStart).toISOString()} to ${new Date(detection.windowEnd).toISOString()}`;
  const listed = actions.slice(0, MAX_LISTED);
  const lines = [
    `${count} ${count === 1 ? 'entity' : 'entities'} flagged in the hour ${window}.`,
    '',
    ...listed.map(
      (a) =>
        `- ${formatEntity(a.decision.entity)} [${a.decision.signal}] ${a.decision.reason}. ${outcome(a)}${a.kind === 'report' ? '' : ` (${a.why})`}.`,
    ),
    ...(count > listed.length ? [`- ... and ${count - listed.length} more`] : []),
  ];
  const details = {
    detectedAt: new Date(detection.now).toISOString(),
    windowStart: new Date(detection.windowStart).toISOString(),
    windowEnd: new Date(detection.windowEnd).toISOString(),
    count,
    population: detection.population,
    anomalies: listed.map((a) => ({
      entity: formatEntity(a.decision.entity),
      action: a.kind === 'shadow' ? `shadow-${a.response}` : a.kind,
      ...(a.kind === 'report' ? {} : { why: a.why }),
      ...(a.kind !== 'report' && a.limit ? { limit: a.limit } : {}),
      signal: a.decision.signal,
      otherSignals: a.decision.otherSignals,
      window: a.decision.window,
      current: a.decision.current,
      baseline: round(a.decision.baseline),
      baselineSource: a.decision.baselineSource,
      ratio: round(a.decision.ratio),
      score: round(a.decision.score),
      reason: a.decision.reason,
      ...(a.kind === 'report' ? {} : { strikes: a.strikes, until: iso(a.expiresAt) }),
    })),
  };
  return {
    subject,
    message: `${lines.join('\n')}\n\nDetails (JSON):\n${JSON.stringify(details, null, 2)}\n`,
  };
}

export const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 100) / 100 : 0);
