// Writes drained aggregates with one UpdateItem ADD per (bucket, entity), so that every gateway task
// adds into the same item and the detector sees the sum. Failed writes go back to the aggregator for
// the next flush, a bounded number of times, then are dropped and counted.
//
// The writes share the event loop with requests: each SDK call costs the loop real work (middleware,
// marshalling, signing, parsing), and a flush can have hundreds of entries due at once
// (a bucket that ends, every user of a burst going quiet together). Each call therefore starts from
// a fresh event-loop turn, after the requests that arrived meanwhile, and few run at a time, so that
// their answers cannot land together and hold requests up for one long stretch (many answers at once
// stall requests long enough to show in the gateway's p99).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { UpdateCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aggregateUpdate } from '../../core/shared/aggregate-update';
import type { Logger } from '../lib/logger';
import type { AggregateEntry } from './aggregator';

/** Bound on one UpdateItem call, so a black-holed connection cannot stall flushes. */
const WRITE_TIMEOUT_MS = 10_000;

export interface AggregateWriterOptions {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  ttlDays: number;
  logger: Logger;
  /** Parallel UpdateItem calls (the caller decides: few on a routine flush, more on a drain). */
  concurrency: number;
  /** Flushes an entry may fail before it is dropped. @default 3 */
  maxFailedFlushes?: number;
}

export interface AggregateFlushResult {
  written: number;
  /** Entries to put back for the next flush. */
  retry: AggregateEntry[];
  /** Requests (not entries) given up on. */
  droppedRequests: number;
}

/** The write of one entry (core/shared/aggregate-update.ts holds the expression). */
export function updateFor(
  entry: AggregateEntry,
  tableName: string,
  ttlDays: number,
  nowMs: number,
): UpdateCommand {
  return aggregateUpdate(entry, tableName, ttlDays, nowMs);
}

export async function writeAggregates(
  entries: AggregateEntry[],
  options: AggregateWriterOptions,
  nowMs: number,
): Promise<AggregateFlushResult> {
  const result: AggregateFlushResult = { written: 0, retry: [], droppedRequests: 0 };
  const maxFailed = options.maxFailedFlushes ?? 3;
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const entry = entries[next++]!;
      await nextTurn();
      try {
        await options.client.send(updateFor(entry, options.tableName, options.ttlDays, nowMs), {
          abortSignal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
        });
        result.written++;
      } catch (error) {
        entry.failedFlushes++;
        if (entry.failedFlushes < maxFailed) result.retry.push(entry);
        else result.droppedRequests += entry.counts.requests;
        if (result.retry.length + result.droppedRequests === 1 || entry.failedFlushes >= maxFailed) {
          options.logger.warn('aggregate write failed', { error, failedFlushes: entry.failedFlushes });
        }
      }
    }
  };
  const workers = Math.min(options.concurrency, entries.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}
