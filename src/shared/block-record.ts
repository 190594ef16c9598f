// A blocklist item: who is blocked, why, on what evidence, until when. The detector and
// `sentinel blocklist` write it; the gateway enforces it. One format for automatic and manual blocks.
import type { Entity } from './entity';
import { entityKey, formatEntity, parseEntity } from './entity';
import { TTL_ATTRIBUTE } from './tables';

export type BlockSource = 'detector' | 'manual';

export interface BlockRecord {
  entity: Entity;
  reason: string;
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
    reason: record.reason,
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
  const evidence = item.evidence;
  return {
    entity: parsed.entity,
    reason: typeof item.reason === 'string' ? item.reason : '',
    evidence: evidence && typeof evidence === 'object' ? (evidence as Record<string, unknown>) : undefined,
    blockedAt: typeof item.blockedAt === 'number' ? item.blockedAt : 0,
    expiresAt,
    source: item.source === 'manual' ? 'manual' : 'detector',
    strikes: typeof item.strikes === 'number' ? item.strikes : 1,
  };
}

/** DynamoDB deletes expired items lazily (up to days later), so expiry is always checked by time. */
export function isBlockActive(record: Pick<BlockRecord, 'expiresAt'>, nowMs: number): boolean {
  return record.expiresAt * 1000 > nowMs;
}
