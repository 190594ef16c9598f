// The detector's DynamoDB edge: read the aggregates a run needs (one paginated Query per bucket
// partition), read what is known about the flagged entities, and write blocks and state with
// conditions that never shorten a longer block and never process one window twice.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  PutCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { countsFromItem } from '../../core/shared/aggregate-record';
import {
  blockItemKey,
  detectorStateKey,
  fromBlockItem,
  fromDetectorStateItem,
  isBlockActive,
  toBlockItem,
  toDetectorStateItem,
  type BlockRecord,
  type DetectorStateRecord,
} from '../../core/shared/block-record';
import { bucketPartitionKey } from '../../core/shared/buckets';
import { entityKey, parseEntityKey, type Entity } from '../../core/shared/entity';
import { TABLES, TTL_ATTRIBUTE } from '../../core/shared/tables';
import type { EntityHistory } from './escalation';
import type { BucketRecord } from './input';

const AGGREGATE_PK = TABLES.trafficAggregates.partitionKey.name;
const AGGREGATE_SK = TABLES.trafficAggregates.sortKey.name;
/** Partitions queried at once: enough to hide latency, few enough not to throttle a small table. */
const QUERY_CONCURRENCY = 8;
const BATCH_GET_LIMIT = 100;

export interface DetectorStore {
  loadBuckets(bucketStarts: readonly number[]): Promise<BucketRecord[]>;
  readHistories(entities: readonly Entity[], now: number): Promise<Map<string, EntityHistory>>;
  /**
   * Writes a block or throttle; false when the existing item was kept: a longer block, or (for a
   * throttle) an active block or a longer throttle. A block replaces any throttle.
   */
  putBlock(record: BlockRecord): Promise<boolean>;
  /** Records that the entity was handled for `state.lastWindowEnd`; false if a run already did. */
  claimWindow(state: DetectorStateRecord): Promise<boolean>;
}

export function createDetectorStore(
  client: DynamoDBDocumentClient,
  tables: { aggregates: string; blocklist: string },
): DetectorStore {
  async function queryPartition(start: number): Promise<BucketRecord[]> {
    const records: BucketRecord[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tables.aggregates,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': AGGREGATE_PK },
          ExpressionAttributeValues: { ':pk': bucketPartitionKey(start) },
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const entity =
          typeof item[AGGREGATE_SK] === 'string' ? parseEntityKey(item[AGGREGATE_SK]) : undefined;
        if (entity) records.push({ entity, bucketStart: start, counts: countsFromItem(item) });
      }
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return records;
  }

  return {
    async loadBuckets(bucketStarts) {
      const results: BucketRecord[][] = [];
      let next = 0;
      const worker = async () => {
        while (next < bucketStarts.length) {
          const i = next++;
          results[i] = await queryPartition(bucketStarts[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(QUERY_CONCURRENCY, bucketStarts.length) }, worker));
      return results.flat();
    },

    async readHistories(entities, now) {
      const keys = entities.flatMap((entity) => [blockItemKey(entity), detectorStateKey(entity)]);
      const items = new Map<string, Record<string, unknown>>();
      for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
        let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
          [tables.blocklist]: { Keys: keys.slice(i, i + BATCH_GET_LIMIT) },
        };
        for (let attempt = 0; request && attempt < 8; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          const result: BatchGetCommandOutput = await client.send(
            new BatchGetCommand({ RequestItems: request }),
          );
          for (const item of result.Responses?.[tables.blocklist] ?? []) items.set(String(item.pk), item);
          const unprocessed: { Keys?: Record<string, unknown>[] } | undefined =
            result.UnprocessedKeys?.[tables.blocklist];
          request = unprocessed?.Keys?.length
            ? { [tables.blocklist]: { Keys: unprocessed.Keys } }
            : undefined;
        }
      }
      const histories = new Map<string, EntityHistory>();
      for (const entity of entities) {
        const blockItem = items.get(blockItemKey(entity).pk);
        const block = blockItem ? fromBlockItem(blockItem) : undefined;
        const state = fromDetectorStateItem(entity, items.get(detectorStateKey(entity).pk), now);
        const enforced = block && isBlockActive(block, now) ? block : undefined;
        histories.set(entityKey(entity), {
          ...(enforced?.action === 'block' ? { blockExpiresAt: enforced.expiresAt } : {}),
          ...(enforced?.action === 'throttle' ? { throttleExpiresAt: enforced.expiresAt } : {}),
          ...(state
            ? {
                strikes: state.strikes,
                lastBlockedAt: state.lastBlockedAt,
                throttleStrikes: state.throttleStrikes,
                lastThrottledAt: state.lastThrottledAt,
                throttledSince: state.throttledSince,
                throttledUntil: state.throttledUntil,
                alertedUntil: state.alertedUntil,
                alertedAction: state.alertedAction,
                lastWindowEnd: state.lastWindowEnd,
              }
            : {}),
        });
      }
      return histories;
    },

    async putBlock(record) {
      try {
        await client.send(
          new PutCommand({
            TableName: tables.blocklist,
            Item: toBlockItem(record),
            ...(record.action === 'block'
              ? {
                  ConditionExpression:
                    'attribute_not_exists(#pk) OR #ttl < :expiresAt OR #action = :throttle',
                  ExpressionAttributeValues: { ':expiresAt': record.expiresAt, ':throttle': 'throttle' },
                }
              : {
                  // An item without an action is a block.
                  ConditionExpression:
                    'attribute_not_exists(#pk) OR #ttl <= :now OR (#action = :throttle AND #ttl < :expiresAt)',
                  ExpressionAttributeValues: {
                    ':expiresAt': record.expiresAt,
                    ':now': record.blockedAt,
                    ':throttle': 'throttle',
                  },
                }),
            ExpressionAttributeNames: { '#pk': 'pk', '#ttl': TTL_ATTRIBUTE, '#action': 'action' },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async claimWindow(state) {
      try {
        await client.send(
          new PutCommand({
            TableName: tables.blocklist,
            Item: toDetectorStateItem(state),
            ConditionExpression: 'attribute_not_exists(#pk) OR lastWindowEnd < :windowEnd',
            ExpressionAttributeNames: { '#pk': 'pk' },
            ExpressionAttributeValues: { ':windowEnd': state.lastWindowEnd },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
