// Replays the traffic in time order through the real detection code, one run every 15 minutes
// with only the past visible, and applies the real plan (escalation included) to an in-memory
// blocklist. Our blocks and throttles are enforced as the gateway would: a block turns the entity's
// requests in the buckets it covers into 403s counted as blocked, a throttle refuses what its token
// bucket does not hold with 429s counted as rate limited. The original's rule runs beside it with its
// fixed one-hour blocks, on request counts, which a block does not change.
import type { BlockAction, ThrottleLimit } from '../../core/shared/block-record';
import { BUCKET_MS } from '../../core/shared/buckets';
import type { Decision, Detection } from '../../lambda/anomaly-detector/decision';
import {
  COUNTER_FIELDS,
  OPTIONAL_COUNTER_FIELDS,
  type DetectInput,
  type InputBucket,
} from '../../lambda/anomaly-detector/input';
import { detect } from '../../lambda/anomaly-detector/detect';
import { historyAfter, planAction, type EntityHistory } from '../../lambda/anomaly-detector/escalation';
import type { BlockSettings, DetectorSettings } from '../../lambda/anomaly-detector/settings';
import { originalRule } from '../../lambda/anomaly-detector/signals/original-rule';
import { requiredBucketStarts } from '../../lambda/anomaly-detector/windows';
import type { Traffic } from './traffic';

export interface BlockEvent {
  /** Run time, epoch ms. */
  at: number;
  entity: number;
  signal: string;
  /** Ours: what was done (the original's rule only blocks). */
  action: BlockAction;
  /** Requests per hour a throttle lets through. */
  hourlyLimit?: number;
  /** What fired (ours only), for the diagnostic mode. */
  decision?: Decision;
}

/** Called after every run of ours with what it saw and decided (the diagnostic mode probes runs). */
export type RunObserver = (now: number, input: DetectInput, detection: Detection) => void;

export interface ReplayResult {
  ours: BlockEvent[];
  /** Requests our throttles refused beyond what the normal rate limit refused, per cell (bucket-major). */
  throttled: Int32Array;
  original: BlockEvent[];
  runs: number;
  detectMs: number;
}

/** Views of the traffic columns, one per bucket: runs read them without copying. */
function bucketViews(traffic: Traffic): InputBucket[] {
  const n = traffic.entities.length;
  const views: InputBucket[] = [];
  for (let t = 0; t < traffic.bucketCount; t++) {
    const bucket = { start: traffic.startMs + t * BUCKET_MS } as InputBucket;
    for (const field of [...COUNTER_FIELDS, ...OPTIONAL_COUNTER_FIELDS]) {
      bucket[field] = traffic.columns[field].subarray(t * n, (t + 1) * n);
    }
    views.push(bucket);
  }
  return views;
}

/**
 * What the gateway does while an entity is blocked: every request it sends is refused with 403 and
 * counted as blocked, with no path. Whole buckets from the run that blocked it (a run sees complete
 * buckets only) to the one in which the block ends.
 */
function enforceBlock(traffic: Traffic, e: number, fromMs: number, untilMs: number): void {
  const n = traffic.entities.length;
  const c = traffic.columns;
  const first = Math.ceil((fromMs - traffic.startMs) / BUCKET_MS);
  const end = Math.min(traffic.bucketCount, Math.ceil((untilMs - traffic.startMs) / BUCKET_MS));
  for (let t = Math.max(0, first); t < end; t++) {
    const i = t * n + e;
    const refused = c.requests[i]!;
    if (refused === 0) continue;
    c.blocked[i] = refused;
    c.errors4xx[i] = refused;
    c.errors5xx[i] = 0;
    c.authFailures[i] = 0;
    c.rateLimited[i] = 0;
    c.endpoints[i] = 0;
  }
}

/**
 * What the gateway does while an entity is throttled: its token bucket (capacity, refill per second)
 * lets requests through while it has tokens and answers the rest 429, counted as rate limited.
 * Simulated per bucket as a fluid (requests spread evenly over the 15 minutes). Records in `throttled`
 * what the throttle refused beyond the normal limit's refusals.
 */
function enforceThrottle(
  traffic: Traffic,
  e: number,
  fromMs: number,
  untilMs: number,
  limit: ThrottleLimit,
  throttled: Int32Array,
): void {
  const n = traffic.entities.length;
  const c = traffic.columns;
  const first = Math.ceil((fromMs - traffic.startMs) / BUCKET_MS);
  const end = Math.min(traffic.bucketCount, Math.ceil((untilMs - traffic.startMs) / BUCKET_MS));
  let tokens = limit.capacity;
  for (let t = Math.max(0, first); t < end; t++) {
    const i = t * n + e;
    const x = c.requests[i]! - c.blocked[i]!;
    const available = tokens + (limit.refillPerSecond * BUCKET_MS) / 1000;
    const allowed = Math.min(x, available);
    tokens = Math.min(limit.capacity, available - allowed);
    const refused = Math.floor(x - allowed);
    if (refused <= c.rateLimited[i]!) continue;
    throttled[i] = refused - c.rateLimited[i]!;
    c.errors4xx[i]! += refused - c.rateLimited[i]!;
    c.rateLimited[i] = refused;
  }
}

export function replay(
  traffic: Traffic,
  settings: DetectorSettings & BlockSettings,
  original: { anomalyThreshold: number; anomalyMinRequests: number; ttlSeconds: number },
  observe?: RunObserver,
): ReplayResult {
  const views = bucketViews(traffic);
  const histories = new Map<number, EntityHistory>();
  const originalUntil = new Float64Array(traffic.entities.length);
  const index = new Map(traffic.entities.map((entity, i) => [`${entity.kind}:${entity.id}`, i]));
  const ours: BlockEvent[] = [];
  const throttled = new Int32Array(traffic.bucketCount * traffic.entities.length);
  const originalBlocks: BlockEvent[] = [];
  let runs = 0;
  let detectMs = 0;
  // A run at the end of bucket t sees buckets up to t; the first runs are warm-up.
  for (let t = traffic.warmupBuckets; t < traffic.bucketCount; t++) {
    const now = traffic.startMs + (t + 1) * BUCKET_MS;
    const buckets: InputBucket[] = [];
    for (const start of requiredBucketStarts(now, settings.anomalyHistoryDays)) {
      const b = (start - traffic.startMs) / BUCKET_MS;
      if (b >= 0 && b <= t) buckets.push(views[b]!);
    }
    const input: DetectInput = { entities: traffic.entities, buckets };
    const started = performance.now();
    const detection = detect(input, settings, now);
    detectMs += performance.now() - started;
    runs++;
    observe?.(now, input, detection);
    for (const decision of detection.decisions) {
      const e = index.get(`${decision.entity.kind}:${decision.entity.id}`)!;
      const action = planAction(decision, histories.get(e), settings, now, detection.windowEnd);
      if (action.kind === 'skip') continue;
      histories.set(e, historyAfter(action, histories.get(e), detection.windowEnd));
      if (action.kind === 'block') {
        ours.push({ at: now, entity: e, signal: decision.signal, action: 'block', decision });
        enforceBlock(traffic, e, now, action.expiresAt * 1000);
      } else if (action.kind === 'throttle' && action.limit) {
        ours.push({
          at: now,
          entity: e,
          signal: decision.signal,
          action: 'throttle',
          hourlyLimit: action.limit.refillPerSecond * 3600,
          decision,
        });
        enforceThrottle(traffic, e, now, action.expiresAt * 1000, action.limit, throttled);
      }
    }
    for (const anomaly of originalRule(input, original, now)) {
      const e = index.get(`${anomaly.entity.kind}:${anomaly.entity.id}`)!;
      if (originalUntil[e]! > now) continue;
      originalUntil[e] = now + original.ttlSeconds * 1000;
      originalBlocks.push({ at: now, entity: e, signal: 'original', action: 'block' });
    }
  }
  return { ours, throttled, original: originalBlocks, runs, detectMs };
}
