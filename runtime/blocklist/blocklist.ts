// What the request path needs from the blocklist: a synchronous lookup and whether the first
// snapshot has loaded. The DynamoDB refresher implements it; `sentinel dev` and tests may pass a
// static list.
import type { BlockRecord } from '../../core/shared/block-record';
import { BlocklistSnapshot } from './snapshot';

export interface Blocklist {
  /** Active block or throttle for `USER#id` / `IP#addr` at `nowMs`. Never does I/O. */
  lookupKey(key: string, nowMs: number): BlockRecord | undefined;
  /** True once a snapshot has loaded (readiness). */
  ready(): boolean;
  /** Epoch ms of the read behind the snapshot in use; undefined before the first load. */
  loadedAt(): number | undefined;
  /** Starts background refreshes after a first load attempt. */
  start(): Promise<void>;
  stop(): void;
}

export function staticBlocklist(records: BlockRecord[], nowMs: number = Date.now()): Blocklist {
  const snapshot = new BlocklistSnapshot(records, nowMs);
  return {
    lookupKey: (key, now) => snapshot.lookupKey(key, now),
    ready: () => true,
    loadedAt: () => nowMs,
    start: () => Promise.resolve(),
    stop: () => {},
  };
}
