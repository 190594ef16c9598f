// What a smoke run leaves behind, and its removal. The gateway counts the smoke's requests into
// the traffic aggregates like any other; the detector reads only complete 15-minute buckets. So a
// run that removes its users' aggregates once the gateway has flushed them, before their bucket is
// complete, is never seen by the detector: no block, no throttle, no alert. Nothing exempts the
// smoke's users from detection (an exemption by name would be one for an attacker too); the run
// starts in a bucket with time left for the flush and the removal, and says whether it made it.
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { aggregateKey, countsFromItem } from '../../core/shared/aggregate-record';
import { blockItemKey, detectorStateKey } from '../../core/shared/block-record';
import { BUCKET_MS, bucketPartitionKey, bucketStart } from '../../core/shared/buckets';
import {
  entityKey,
  entityKeyPrefix,
  parseEntityKey,
  userEntity,
  type Entity,
} from '../../core/shared/entity';
import type { TableNames } from '../../core/shared/table-setup';

type Client = Pick<DynamoDBDocumentClient, 'send'>;

/** How far the gateway's clock may be from this machine's when it puts a request in a bucket. */
export const CLOCK_SKEW_MS = 5_000;

/** How long the gateway may take to flush what it counted: three flushes and some slack. */
export function flushBudgetMs(flushSeconds: number): number {
  return (flushSeconds * 3 + 10) * 1000;
}

/**
 * How long to wait before sending traffic, so that the traffic (`runMs` at most), its flush and its
 * removal fit in one bucket by any clock within the skew: zero when there is time left in this one,
 * else until the next has begun everywhere.
 */
export function waitBeforeTrafficMs(nowMs: number, runMs: number, flushSeconds: number): number {
  const needed = runMs + flushBudgetMs(flushSeconds);
  // Too long for any bucket: the run goes ahead, and the removal says it was late.
  if (needed + 2 * CLOCK_SKEW_MS > BUCKET_MS) return 0;
  const end = bucketStart(nowMs - CLOCK_SKEW_MS) + BUCKET_MS;
  return nowMs + CLOCK_SKEW_MS + needed <= end ? 0 : end + CLOCK_SKEW_MS - nowMs;
}

/** The buckets traffic sent between `fromMs` and `toMs` (this machine's clock) can be in. */
export function bucketsBetween(fromMs: number, toMs: number): number[] {
  const buckets: number[] = [];
  for (let b = bucketStart(fromMs - CLOCK_SKEW_MS); b <= toMs + CLOCK_SKEW_MS; b += BUCKET_MS)
    buckets.push(b);
  return buckets;
}

/** Requests per user id the gateway will count; the smoke's fetch reports each one it sends. */
export class TrafficLedger {
  readonly sent = new Map<string, number>();
  readonly startedAt: number;
  constructor(now: number) {
    this.startedAt = now;
  }
  count(user: string): void {
    this.sent.set(user, (this.sent.get(user) ?? 0) + 1);
  }
}

/** The requests of `user` the aggregates hold in `buckets`. */
export async function countedRequests(
  client: Client,
  tables: TableNames,
  user: string,
  buckets: readonly number[],
): Promise<number> {
  let count = 0;
  for (const bucket of buckets) {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tables.trafficAggregates,
        Key: aggregateKey(bucket, userEntity(user)),
        ConsistentRead: true,
      }),
    );
    if (Item) count += countsFromItem(Item).requests;
  }
  return count;
}

/** Every item a query matches, page after page. */
async function* queryAll(
  client: Client,
  input: ConstructorParameters<typeof QueryCommand>[0],
): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Client IPs with failed authentications in `buckets` (the aggregates' `ip` entities, read a bucket
 * partition at a time), and their total over those buckets.
 */
export async function authFailuresByIp(
  client: Client,
  tables: TableNames,
  buckets: readonly number[],
): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const bucket of buckets) {
    const items = queryAll(client, {
      TableName: tables.trafficAggregates,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :kind)',
      ExpressionAttributeValues: { ':pk': bucketPartitionKey(bucket), ':kind': entityKeyPrefix('ip') },
      ConsistentRead: true,
    });
    for await (const item of items) {
      const entity = typeof item.sk === 'string' ? parseEntityKey(item.sk) : undefined;
      const failures = countsFromItem(item).authFailures;
      if (entity?.kind === 'ip' && failures > 0)
        totals.set(entity.id, (totals.get(entity.id) ?? 0) + failures);
    }
  }
  return totals;
}

/**
 * Deletes every item about the smoke's entities: their aggregates in `buckets`, any block, throttle
 * or detector state (there is none unless the detector ran on them) and, for test users, their
 * request-log items. An IP's request log is left alone: other clients behind the same address (an
 * office NAT) write to it too, and only the smoke's own counts and block are the smoke's to remove.
 */
export async function removeTraces(
  client: Client,
  tables: TableNames,
  entities: readonly Entity[],
  buckets: readonly number[],
): Promise<void> {
  const deletes: Array<{ table: string; Key: Record<string, unknown> }> = [];
  for (const entity of entities) {
    await client.send(new DeleteCommand({ TableName: tables.blocklist, Key: blockItemKey(entity) }));
    await client.send(new DeleteCommand({ TableName: tables.blocklist, Key: detectorStateKey(entity) }));
    for (const bucket of buckets)
      deletes.push({ table: tables.trafficAggregates, Key: aggregateKey(bucket, entity) });
    if (entity.kind !== 'user') continue;
    const logs = queryAll(client, {
      TableName: tables.requestLogs,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': entityKey(entity) },
      ProjectionExpression: 'pk, sk',
    });
    for await (const Key of logs) deletes.push({ table: tables.requestLogs, Key });
  }
  for (let i = 0; i < deletes.length; i += 25) {
    let requests: Record<string, Array<{ DeleteRequest: { Key: Record<string, unknown> } }>> = {};
    for (const d of deletes.slice(i, i + 25))
      (requests[d.table] ??= []).push({ DeleteRequest: { Key: d.Key } });
    // DynamoDB may leave some of a batch for a retry (throttling); retried until none is left.
    for (let attempt = 0; Object.keys(requests).length > 0; attempt++) {
      if (attempt >= 8) throw new Error('DynamoDB kept part of a delete batch unprocessed');
      const result = await client.send(new BatchWriteCommand({ RequestItems: requests }));
      requests = (result.UnprocessedItems ?? {}) as typeof requests;
      if (Object.keys(requests).length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}
