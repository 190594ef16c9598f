// The blocklist as the gateway holds it: an immutable map from entity key to block, rebuilt on each
// refresh and swapped in whole. Lookups check expiry against the clock, because DynamoDB deletes
// expired items only lazily (sometimes days later).
import type { BlockRecord } from '../../core/shared/block-record';
import { isBlockActive } from '../../core/shared/block-record';
import type { Entity } from '../../core/shared/entity';
import { entityKey } from '../../core/shared/entity';

export class BlocklistSnapshot {
  readonly #blocks: ReadonlyMap<string, BlockRecord>;
  /** Epoch ms of the read that produced this snapshot. */
  readonly loadedAt: number;

  constructor(records: Iterable<BlockRecord>, loadedAt: number) {
    const blocks = new Map<string, BlockRecord>();
    for (const record of records) {
      if (!isBlockActive(record, loadedAt)) continue;
      const key = entityKey(record.entity);
      const existing = blocks.get(key);
      // One item per entity in the table; keep the longer block should a source ever hold two.
      if (!existing || existing.expiresAt < record.expiresAt) blocks.set(key, record);
    }
    this.#blocks = blocks;
    this.loadedAt = loadedAt;
  }

  get size(): number {
    return this.#blocks.size;
  }

  /** The active block of an entity key (`USER#id` / `IP#addr`), if any. */
  lookupKey(key: string, nowMs: number): BlockRecord | undefined {
    if (this.#blocks.size === 0) return undefined;
    const block = this.#blocks.get(key);
    return block && isBlockActive(block, nowMs) ? block : undefined;
  }

  lookup(entity: Entity, nowMs: number): BlockRecord | undefined {
    return this.lookupKey(entityKey(entity), nowMs);
  }
}

export const EMPTY_SNAPSHOT = new BlocklistSnapshot([], 0);
