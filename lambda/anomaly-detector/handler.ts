// The Lambda (every 15 minutes, EventBridge): load the windows from the aggregate table, detect,
// plan and write blocks and throttles, publish one alert, return a summary. Thin on purpose: every decision is
// made by the pure modules; this file only reads config, reaches AWS and wires them together.
import { redactSecrets } from '../../core/shared/redact-secrets';
import { loadConfig } from '../../core/config/load';
import type { Config } from '../../core/config/schema';
import type { BlockAction, ThrottleLimit } from '../../core/shared/block-record';
import { createDocumentClient } from '../../core/shared/dynamodb';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { entityKey, formatEntity } from '../../core/shared/entity';
import { formatAlert, round } from './alert';
import { detect } from './detect';
import { historyAfter, planAction, type Action, type AlertedAction } from './escalation';
import { inputFromRecords } from './input';
import { createSnsPublisher, type AlertPublisher } from './publisher';
import { createDetectorStore, type DetectorStore } from './store';
import { requiredBucketStarts } from './windows';

/** What a run returns (and logs). */
export interface RunSummary {
  anomalyCount: number;
  blockedCount: number;
  throttledCount: number;
  autoBlocked: boolean;
  alerted: boolean;
  windowStart: string;
  windowEnd: string;
  entities: Array<{
    entity: string;
    signal: string;
    action: Action['kind'] | 'kept-longer-block';
    /** For blocks, throttles and shadow actions: which one, and why. */
    response?: BlockAction;
    why?: string;
    limit?: ThrottleLimit;
    reason: string;
    ratio: number;
    score: number;
    until?: string;
    strikes?: number;
    skipped?: string;
  }>;
}

export interface HandlerDeps {
  config?: Config;
  store?: DetectorStore;
  /** Undefined with no topic configured: the run logs that it has nobody to alert. */
  publisher?: AlertPublisher | null;
  now?: () => number;
  log?: (line: Record<string, unknown>) => void;
}

const defaultLog = (line: Record<string, unknown>) => console.log(redactSecrets(JSON.stringify(line)));

/**
 * A run judges the windows that end at `at` (default: now). Its actions are stamped with the clock's
 * time, never `at`: a block starts when it is decided, and a manual run may look ahead to the end of
 * the current bucket.
 */
export type DetectorRun = (at?: number) => Promise<RunSummary>;

export function createHandler(deps: HandlerDeps = {}): DetectorRun {
  const config = deps.config ?? loadConfig({ scope: 'detector', noEnvFile: true }).values;
  const store =
    deps.store ??
    createDetectorStore(
      createDocumentClient({ endpoint: config.dynamodbEndpoint, region: config.awsRegion }),
      {
        aggregates: config.trafficAggregateTableName,
        blocklist: config.blocklistTableName,
      },
    );
  const publisher =
    deps.publisher !== undefined
      ? deps.publisher
      : config.alertTopicArn
        ? createSnsPublisher({ topicArn: config.alertTopicArn, region: config.awsRegion })
        : null;
  const clock = deps.now ?? Date.now;
  const log = deps.log ?? defaultLog;

  return async function run(at?: number): Promise<RunSummary> {
    const now = clock();
    const evaluatedAt = at ?? now;
    const records = await store.loadBuckets(requiredBucketStarts(evaluatedAt, config.anomalyHistoryDays));
    const detection = detect(inputFromRecords(records), config, evaluatedAt);
    const histories = await store.readHistories(
      detection.decisions.map((d) => d.entity),
      now,
    );
    const alerted: AlertedAction[] = [];
    const entities: RunSummary['entities'] = [];
    let blockedCount = 0;
    let throttledCount = 0;
    for (const decision of detection.decisions) {
      const previous = histories.get(entityKey(decision.entity));
      const action = planAction(decision, previous, config, now, detection.windowEnd);
      const row = {
        entity: formatEntity(decision.entity),
        signal: decision.signal,
        reason: decision.reason,
        ratio: round(decision.ratio),
        score: round(decision.score),
      };
      if (action.kind === 'skip') {
        entities.push({ ...row, action: 'skip', skipped: action.reason });
        continue;
      }
      let kind: RunSummary['entities'][number]['action'] = action.kind;
      if (action.kind === 'block' || action.kind === 'throttle') {
        const written = await store.putBlock({
          entity: decision.entity,
          action: action.kind,
          ...(action.limit ? { limit: action.limit } : {}),
          reason: `${decision.signal}: ${decision.reason}`,
          evidence: {
            signal: decision.signal,
            otherSignals: decision.otherSignals,
            why: action.why,
            window: decision.window,
            windowStart: new Date(detection.windowStart).toISOString(),
            windowEnd: new Date(detection.windowEnd).toISOString(),
            current: decision.current,
            baseline: round(decision.baseline),
            baselineSource: decision.baselineSource,
            ratio: round(decision.ratio),
            score: round(decision.score),
          },
          blockedAt: action.blockedAt,
          expiresAt: action.expiresAt,
          source: 'detector',
          strikes: action.strikes,
        });
        if (written && action.kind === 'block') blockedCount++;
        else if (written) throttledCount++;
        else kind = 'kept-longer-block';
      }
      const state = historyAfter(action, previous, detection.windowEnd);
      const claimed = await store.claimWindow({
        entity: decision.entity,
        strikes: state.strikes ?? 0,
        lastBlockedAt: state.lastBlockedAt,
        throttleStrikes: state.throttleStrikes,
        lastThrottledAt: state.lastThrottledAt,
        throttledSince: state.throttledSince,
        throttledUntil: state.throttledUntil,
        alertedUntil: state.alertedUntil ?? 0,
        alertedAction: state.alertedAction,
        lastWindowEnd: detection.windowEnd,
        // Kept long enough to count a repeat offence after the block has expired.
        expiresAt:
          Math.max(state.alertedUntil ?? 0, Math.floor(now / 1000)) + config.anomalyEscalationWindowSeconds,
      });
      // Another run already handled this entity and window: it has alerted, this one must not.
      if (!claimed) {
        entities.push({ ...row, action: 'skip', skipped: 'already-reported' });
        continue;
      }
      alerted.push(action);
      entities.push({
        ...row,
        action: kind,
        ...(action.kind === 'report'
          ? {}
          : {
              response: action.response,
              why: action.why,
              ...(action.limit ? { limit: action.limit } : {}),
              until: new Date(action.expiresAt * 1000).toISOString(),
              strikes: action.strikes,
            }),
      });
    }
    const alert = formatAlert(alerted, { ...detection, now });
    if (alert && publisher) await publisher.publish(alert);
    else if (alert) log({ level: 'warn', msg: 'anomalies detected but no alert topic is configured' });
    const summary: RunSummary = {
      anomalyCount: detection.decisions.length,
      blockedCount,
      throttledCount,
      autoBlocked: config.anomalyAutoBlock,
      alerted: alert !== undefined && publisher !== null,
      windowStart: new Date(detection.windowStart).toISOString(),
      windowEnd: new Date(detection.windowEnd).toISOString(),
      entities,
    };
    log({
      level: 'info',
      msg: 'detector run',
      ...summary,
      population: detection.population,
      buckets: records.length,
    });
    return summary;
  };
}

let cached: DetectorRun | undefined;

/** What a manual invocation may pass; the 15-minute schedule sends an EventBridge event without it. */
export interface DetectorEvent {
  /**
   * Judge the windows ending at this ISO time instead of now. `sentinel smoke anomaly` passes the end
   * of the current bucket so a burst it just sent is judged without waiting for the bucket to close.
   */
  evaluateAt?: string;
}

/** How far from now a manual run may look: ahead to the end of the current bucket, back an hour. */
const EVALUATE_AT_WINDOW_MS = { ahead: 15 * 60_000, back: 60 * 60_000 };

export function evaluationTime(event: DetectorEvent | undefined, now: number): number {
  if (event?.evaluateAt === undefined) return now;
  const at = Date.parse(event.evaluateAt);
  if (
    !Number.isFinite(at) ||
    at > now + EVALUATE_AT_WINDOW_MS.ahead ||
    at < now - EVALUATE_AT_WINDOW_MS.back
  ) {
    throw new SentinelError(
      ErrorCode.DetectorInputInvalid,
      `evaluateAt must be an ISO time between one hour ago and 15 minutes ahead (got ${JSON.stringify(event.evaluateAt)})`,
    );
  }
  return at;
}

/** The Lambda entry point (`index.handler` in the bundle). Config errors surface on the first run. */
export async function handler(event?: DetectorEvent): Promise<RunSummary> {
  cached ??= createHandler();
  return cached(evaluationTime(event, Date.now()));
}
