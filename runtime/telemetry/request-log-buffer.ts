// Sampled request logs: every non-2xx request and a share of the rest, buffered (bounded, drops
// counted) and written with BatchWriteItem in batches of 25. Unprocessed items are retried with
// exponential backoff within a flush; what still fails waits for the next flush a bounded number of
// times, then is dropped and counted.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toRequestLogItem, type RequestLogRecord } from '../../core/shared/request-log-record';
import type { Logger } from '../lib/logger';

export interface RequestLogOptions {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  ttlDays: number;
  /** Share of 2xx requests written (non-2xx always are). */
  sampleRate: number;
  logger: Logger;
  /** @default 10000 */
  maxBuffered?: number;
  /** BatchWriteItem attempts per flush for unprocessed items. @default 4 */
  maxAttempts?: number;
  /** Flushes an item may fail before it is dropped (and counted). @default 3 */
  maxFailedFlushes?: number;
  /** First backoff delay. @default 50 ms */
  baseDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Pending {
  item: Record<string, unknown>;
  failedFlushes: number;
}

/** DynamoDB's limit of items per BatchWriteItem call. */
export const BATCH_SIZE = 25;
/** Bound on one BatchWriteItem call, so a black-holed connection cannot stall flushes. */
const WRITE_TIMEOUT_MS = 10_000;

export function shouldSample(status: number, sampleRate: number, random: () => number): boolean {
  if (status < 200 || status >= 300) return true;
  return sampleRate > 0 && random() < sampleRate;
}

export class RequestLogBuffer {
  readonly #options: RequestLogOptions;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #pending: Pending[] = [];
  /** Items taken by a flush that has not finished. */
  #inFlight = 0;
  #dropped = 0;
  #written = 0;

  constructor(options: RequestLogOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get dropped(): number {
    return this.#dropped;
  }

  get written(): number {
    return this.#written;
  }

  get buffered(): number {
    return this.#pending.length;
  }

  /**
   * Keeps the request if sampled; the record is only built then (most 2xx requests are not sampled,
   * so they cost one random draw). Never blocks, never throws.
   */
  offer(statusCode: number, build: () => RequestLogRecord): void {
    if (!shouldSample(statusCode, this.#options.sampleRate, this.#random)) return;
    if (this.#pending.length >= (this.#options.maxBuffered ?? 10_000)) {
      this.#dropped++;
      return;
    }
    this.#pending.push({ item: toRequestLogItem(build(), this.#options.ttlDays), failedFlushes: 0 });
  }

  /** Gives up everything unwritten (buffered or in a flush that will not finish) and counts it. */
  abandon(): number {
    const lost = this.#pending.length + this.#inFlight;
    this.#dropped += lost;
    this.#pending = [];
    this.#inFlight = 0;
    return lost;
  }

  async flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    this.#inFlight = batch.length;
    const failed: Pending[] = [];
    for (let i = 0; i < batch.length; i += BATCH_SIZE) {
      // Each call from a fresh event-loop turn, behind the requests that arrived meanwhile: an SDK
      // call holds the loop, and back to back they would hold requests up (aggregate-writer.ts).
      await nextTurn();
      failed.push(...(await this.#writeBatch(batch.slice(i, i + BATCH_SIZE))));
    }
    this.#inFlight = 0;
    for (const entry of failed) {
      entry.failedFlushes++;
      if (
        entry.failedFlushes >= (this.#options.maxFailedFlushes ?? 3) ||
        this.#pending.length >= (this.#options.maxBuffered ?? 10_000)
      ) {
        this.#dropped++;
      } else {
        this.#pending.push(entry);
      }
    }
    if (failed.length > 0) {
      this.#options.logger.warn('request log items not written; retried next flush or dropped', {
        failed: failed.length,
        droppedTotal: this.#dropped,
      });
    }
  }

  /** Writes up to 25 items; returns those still unwritten after the retries. */
  async #writeBatch(entries: Pending[]): Promise<Pending[]> {
    const { client, tableName, logger } = this.#options;
    const byKey = new Map(entries.map((e) => [`${e.item.pk as string}|${e.item.sk as string}`, e]));
    let requests = entries.map((e) => ({ PutRequest: { Item: e.item } }));
    const attempts = this.#options.maxAttempts ?? 4;
    const base = this.#options.baseDelayMs ?? 50;
    for (let attempt = 0; attempt < attempts && requests.length > 0; attempt++) {
      if (attempt > 0) await this.#sleep(base * 2 ** (attempt - 1) * (0.5 + this.#random()));
      try {
        const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }), {
          abortSignal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
        });
        const unprocessed = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        this.#written += requests.length - unprocessed.length;
        requests = unprocessed;
      } catch (error) {
        if (attempt === attempts - 1) logger.warn('request log batch write failed', { error });
      }
    }
    return requests.map((r) =>
      byKey.get(`${r.PutRequest.Item.pk as string}|${r.PutRequest.Item.sk as string}`)!,
    );
  }
}
