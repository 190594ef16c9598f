// Writes drained aggregates with one UpdateItem ADD per (bucket, entity), so that every gateway task
// adds into the same item and the detector sees the sum. Failed writes go back to the aggregator for
// the next flush, a bounded number of times, then are dropped and counted.
//
// The writes share the event loop with requests: each SDK call costs the loop about 1-2 ms of work
// (middleware, marshalling, signing, parsing), and a flush can have hundreds of entries due at once
// (a bucket that ends, every user of a burst going quiet together). Each call therefore starts from
// a fresh event-loop turn, after the requests that arrived meanwhile, and few run at a time, so that
// their answers cannot land together and hold requests up for one long stretch (measured: stalls of
// 100-200 ms every flush at 16 in parallel, which made the gateway's p99).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  AGGREGATE_ATTRIBUTES,
  aggregateKey,
  NUMERIC_AGGREGATE_FIELDS,
} from '../../core/shared/aggregate-record';
import { TTL_ATTRIBUTE } from '../../core/shared/tables';
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

export function updateFor(
  entry: AggregateEntry,
  tableName: string,
  ttlDays: number,
  nowMs: number,
): UpdateCommand {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  for (const field of NUMERIC_AGGREGATE_FIELDS) {
    const value = entry.counts[field];
    if (value === 0 && field !== 'requests') continue;
    names[`#${field}`] = AGGREGATE_ATTRIBUTES[field];
    values[`:${field}`] = value;
    adds.push(`#${field} :${field}`);
  }
  if (entry.endpoints.size > 0) {
    names['#endpoints'] = AGGREGATE_ATTRIBUTES.endpoints;
    values[':endpoints'] = entry.endpoints;
    adds.push('#endpoints :endpoints');
  }
  names['#updated'] = AGGREGATE_ATTRIBUTES.lastUpdatedEpoch;
  names['#ttl'] = TTL_ATTRIBUTE;
  values[':updated'] = Math.floor(nowMs / 1000);
  // Expiry counts from the bucket, not the write, so every task writes the same value.
  values[':ttl'] = Math.floor(entry.bucketMs / 1000) + ttlDays * 86400;
  return new UpdateCommand({
    TableName: tableName,
    Key: aggregateKey(entry.bucketMs, entry.entity),
    UpdateExpression: `ADD ${adds.join(', ')} SET #updated = :updated, #ttl = :ttl`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
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
