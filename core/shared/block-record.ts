// A blocklist item: who is blocked or throttled, why, on what evidence, until when. The detector and
// `sentinel blocklist` write it; the gateway enforces it. One format for automatic and manual
// actions, blocks and throttles alike.
import type { Entity } from './entity';
import { entityKey, formatEntity, parseEntity } from './entity';
import { TTL_ATTRIBUTE } from './tables';

export type BlockSource = 'detector' | 'manual';

/** `block` refuses every request (403); `throttle` caps the entity's rate (429 past the limit). */
export type BlockAction = 'block' | 'throttle';

/** A throttle's token bucket; the gateway applies the lower of it and the normal policy. */
export interface ThrottleLimit {
  /** Tokens the bucket holds. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export interface BlockRecord {
  entity: Entity;
  action: BlockAction;
  /** Present exactly when `action` is `throttle`. */
  limit?: ThrottleLimit;
  /** For operators (logs, `blocklist ls`, alerts); never shown to the refused client. */
  reason: string;
  /** The one reason a refused client may see, when an operator gives it. */
  publicReason?: string;
  /** Numbers behind the decision (for the detector) or free text (manual). */
  evidence?: Record<string, unknown>;
  /** Epoch seconds. */
  blockedAt: number;
  /** Epoch seconds; also the DynamoDB TTL attribute. */
  expiresAt: number;
  source: BlockSource;
  /** How many times this entity has been blocked in the escalation window (1 for a first block). */
  strikes: number;
}

export function blockItemKey(entity: Entity): { pk: string } {
  return { pk: entityKey(entity) };
}

export function toBlockItem(record: BlockRecord): Record<string, unknown> {
  return {
    ...blockItemKey(record.entity),
    entity: formatEntity(record.entity),
    action: record.action,
    ...(record.limit ? { limit: { ...record.limit } } : {}),
    reason: record.reason,
    ...(record.publicReason ? { publicReason: record.publicReason } : {}),
    ...(record.evidence ? { evidence: record.evidence } : {}),
    blockedAt: record.blockedAt,
    [TTL_ATTRIBUTE]: record.expiresAt,
    source: record.source,
    strikes: record.strikes,
  };
}

/** Parses an item from the table; undefined for items that are not well-formed blocks. */
export function fromBlockItem(item: Record<string, unknown>): BlockRecord | undefined {
  const parsed = typeof item.entity === 'string' ? parseEntity(item.entity) : undefined;
  const expiresAt = item[TTL_ATTRIBUTE];
  if (!parsed?.ok || typeof expiresAt !== 'number') return undefined;
  // An item without an action is a block; a throttle without a usable limit is not enforceable.
  const action: BlockAction = item.action === 'throttle' ? 'throttle' : 'block';
  const limit = action === 'throttle' ? throttleLimitOf(item.limit) : undefined;
  if (action === 'throttle' && !limit) return undefined;
  const evidence = item.evidence;
  return {
    entity: parsed.entity,
    action,
    ...(limit ? { limit } : {}),
    reason: typeof item.reason === 'string' ? item.reason : '',
    ...(typeof item.publicReason === 'string' && item.publicReason !== ''
      ? { publicReason: item.publicReason }
      : {}),
    evidence: evidence && typeof evidence === 'object' ? (evidence as Record<string, unknown>) : undefined,
    blockedAt: typeof item.blockedAt === 'number' ? item.blockedAt : 0,
    expiresAt,
    source: item.source === 'manual' ? 'manual' : 'detector',
    strikes: typeof item.strikes === 'number' ? item.strikes : 1,
  };
}

function throttleLimitOf(value: unknown): ThrottleLimit | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { capacity, refillPerSecond } = value as Record<string, unknown>;
  const positive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  return positive(capacity) && positive(refillPerSecond) ? { capacity, refillPerSecond } : undefined;
}

/** DynamoDB deletes expired items lazily (up to days later), so expiry is always checked by time. */
export function isBlockActive(record: Pick<BlockRecord, 'expiresAt'>, nowMs: number): boolean {
  return record.expiresAt * 1000 > nowMs;
}

/**
 * The detector's memory of an entity, kept beside the blocks in the blocklist table under its own
 * key (`DETECTOR#USER#alice`), so that it outlives a block's expiry: strikes for escalation, until
 * when the entity's episode is already reported, and the last window processed (reruns are no-ops).
 * It has no `entity` attribute, so `fromBlockItem` ignores it: readers of blocks never see it.
 */
export interface DetectorStateRecord {
  entity: Entity;
  strikes: number;
  /** Epoch seconds of the last (shadow) block. */
  lastBlockedAt?: number;
  /** The same for throttles, and when the current run of back-to-back throttles began. */
  throttleStrikes?: number;
  lastThrottledAt?: number;
  throttledSince?: number;
  throttledUntil?: number;
  /** Epoch seconds until which alerts about this entity are suppressed... */
  alertedUntil: number;
  /** ...for this action or a milder one (absent: any). */
  alertedAction?: BlockAction | 'report';
  /** Epoch ms: end of the last detection window this entity was processed for. */
  lastWindowEnd: number;
  /** Epoch seconds; DynamoDB deletes the item after it (escalation window past the last block). */
  expiresAt: number;
}

const DETECTOR_STATE_PREFIX = 'DETECTOR#';
const ALERTED_ACTIONS = ['block', 'throttle', 'report'] as const;

export function detectorStateKey(entity: Entity): { pk: string } {
  return { pk: DETECTOR_STATE_PREFIX + entityKey(entity) };
}

export function isDetectorStateKey(pk: string): boolean {
  return pk.startsWith(DETECTOR_STATE_PREFIX);
}

export function toDetectorStateItem(record: DetectorStateRecord): Record<string, unknown> {
  return {
    ...detectorStateKey(record.entity),
    strikes: record.strikes,
    ...(record.lastBlockedAt === undefined ? {} : { lastBlockedAt: record.lastBlockedAt }),
    ...(record.throttleStrikes === undefined ? {} : { throttleStrikes: record.throttleStrikes }),
    ...(record.lastThrottledAt === undefined ? {} : { lastThrottledAt: record.lastThrottledAt }),
    ...(record.throttledSince === undefined ? {} : { throttledSince: record.throttledSince }),
    ...(record.throttledUntil === undefined ? {} : { throttledUntil: record.throttledUntil }),
    alertedUntil: record.alertedUntil,
    ...(record.alertedAction === undefined ? {} : { alertedAction: record.alertedAction }),
    lastWindowEnd: record.lastWindowEnd,
    [TTL_ATTRIBUTE]: record.expiresAt,
  };
}

/** Parses a state item; undefined when it is missing, malformed or past its expiry. */
export function fromDetectorStateItem(
  entity: Entity,
  item: Record<string, unknown> | undefined,
  nowMs: number,
): DetectorStateRecord | undefined {
  const num = (name: string) => (typeof item?.[name] === 'number' ? (item[name] as number) : undefined);
  const expiresAt = num(TTL_ATTRIBUTE);
  if (!item || expiresAt === undefined || expiresAt * 1000 <= nowMs) return undefined;
  return {
    entity,
    strikes: num('strikes') ?? 0,
    lastBlockedAt: num('lastBlockedAt'),
    throttleStrikes: num('throttleStrikes'),
    lastThrottledAt: num('lastThrottledAt'),
    throttledSince: num('throttledSince'),
    throttledUntil: num('throttledUntil'),
    alertedUntil: num('alertedUntil') ?? 0,
    ...(ALERTED_ACTIONS.includes(item.alertedAction as never)
      ? { alertedAction: item.alertedAction as BlockAction | 'report' }
      : {}),
    lastWindowEnd: num('lastWindowEnd') ?? 0,
    expiresAt,
  };
}
