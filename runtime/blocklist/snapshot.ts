// The blocklist as the gateway holds it: an immutable map from entity key to its block or throttle
// (one lookup per entity answers both), plus the IP ranges (cidr-set.ts), rebuilt on each refresh
// and swapped in whole. Lookups check expiry against the clock, because DynamoDB deletes expired
// items only lazily (sometimes days later).
import type { BlockRecord } from '../../core/shared/block-record';
import { isBlockActive } from '../../core/shared/block-record';
import type { Entity } from '../../core/shared/entity';
import { entityKey } from '../../core/shared/entity';
import { parseCidr } from '../../core/shared/ip';
import { CidrSet } from './cidr-set';

const IP_KEY_PREFIX = entityKey({ kind: 'ip', id: '' });
const longer = (a: BlockRecord, b: BlockRecord) => (a.expiresAt >= b.expiresAt ? a : b);

export class BlocklistSnapshot {
  readonly #blocks: ReadonlyMap<string, BlockRecord>;
  /** Blocks of IP ranges (`ip:<addr>/<len>`). */
  readonly #ranges = new CidrSet<BlockRecord>();
  /** Epoch ms of the read that produced this snapshot. */
  readonly loadedAt: number;

  constructor(records: Iterable<BlockRecord>, loadedAt: number) {
    const blocks = new Map<string, BlockRecord>();
    for (const record of records) {
      if (!isBlockActive(record, loadedAt)) continue;
      if (record.entity.kind === 'ip' && record.entity.id.includes('/')) {
        const range = parseCidr(record.entity.id);
        if (range) this.#ranges.add(range, record, longer);
        continue;
      }
      const key = entityKey(record.entity);
      const existing = blocks.get(key);
      // One item per entity in the table; keep the longer block should a source ever hold two.
      if (!existing || existing.expiresAt < record.expiresAt) blocks.set(key, record);
    }
    this.#blocks = blocks;
    this.loadedAt = loadedAt;
  }

  get size(): number {
    return this.#blocks.size + this.#ranges.size;
  }

  /** The active block or throttle of an entity key (`USER#id` / `IP#addr`), if any. */
  lookupKey(key: string, nowMs: number): BlockRecord | undefined {
    const block = this.#blocks.size === 0 ? undefined : this.#blocks.get(key);
    if (block && isBlockActive(block, nowMs)) return block;
    if (this.#ranges.size === 0 || !key.startsWith(IP_KEY_PREFIX)) return undefined;
    return this.#ranges.lookup(key.slice(IP_KEY_PREFIX.length), (range) => isBlockActive(range, nowMs));
  }

  lookup(entity: Entity, nowMs: number): BlockRecord | undefined {
    return this.lookupKey(entityKey(entity), nowMs);
  }
}

export const EMPTY_SNAPSHOT = new BlocklistSnapshot([], 0);
