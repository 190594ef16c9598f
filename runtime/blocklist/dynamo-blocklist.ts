// Keeps an in-memory snapshot of the blocklist table, reloaded every refresh interval with a
// paginated Scan (the table holds only active blocks, so it stays small). A failed reload keeps the
// last good snapshot and is logged; the request path never calls DynamoDB.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BlockRecord } from '../../core/shared/block-record';
import { scanBlocks } from '../../core/shared/blocklist-table';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Blocklist } from './blocklist';
import { BlocklistSnapshot, EMPTY_SNAPSHOT } from './snapshot';

/** Refresh intervals after which a snapshot that could not be refreshed is reported stale. */
export const STALE_REFRESHES = 3;

export interface DynamoBlocklistOptions {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  refreshMs: number;
  clock: Clock;
  logger: Logger;
}

export class DynamoBlocklist implements Blocklist {
  readonly #options: DynamoBlocklistOptions;
  #snapshot = EMPTY_SNAPSHOT;
  #loaded = false;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #inflight: Promise<boolean> | undefined;

  constructor(options: DynamoBlocklistOptions) {
    this.#options = options;
  }

  lookupKey(key: string, nowMs: number): BlockRecord | undefined {
    return this.#snapshot.lookupKey(key, nowMs);
  }

  ready(): boolean {
    return this.#loaded;
  }

  loadedAt(): number | undefined {
    return this.#loaded ? this.#snapshot.loadedAt : undefined;
  }

  get size(): number {
    return this.#snapshot.size;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#options.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One reload; resolves to whether it succeeded. Concurrent calls share one read. */
  refresh(): Promise<boolean> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #load(): Promise<boolean> {
    const { client, tableName, clock, logger } = this.#options;
    const startedAt = clock.now();
    try {
      // Bounded, so that a hung read cannot hold the single-flight refresh (and the snapshot) forever.
      const records = await scanBlocks(client, tableName, {
        pageTimeoutMs: Math.max(5_000, this.#options.refreshMs * 3),
      });
      this.#snapshot = new BlocklistSnapshot(records, startedAt);
      if (this.#failures > 0) logger.info('blocklist refresh recovered', { after: this.#failures });
      this.#failures = 0;
      this.#loaded = true;
      return true;
    } catch (error) {
      this.#failures++;
      const snapshotAgeMs = this.#loaded ? clock.now() - this.#snapshot.loadedAt : null;
      logger.warn('blocklist refresh failed; keeping the last snapshot', {
        error,
        consecutiveFailures: this.#failures,
        snapshotAgeMs,
      });
      // Blocks added since the snapshot are not enforced: past 3 refresh intervals, say so loudly.
      if (snapshotAgeMs !== null && snapshotAgeMs > STALE_REFRESHES * this.#options.refreshMs) {
        logger.error('blocklist snapshot stale', { snapshotAgeMs, refreshMs: this.#options.refreshMs });
      }
      return false;
    }
  }
}
