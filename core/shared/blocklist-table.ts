// Reading and writing the blocklist table: the gateway's snapshot, `sentinel blocklist` and the
// smoke test all go through these, so the table is scanned and keyed one way.
import { DeleteCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BlockRecord } from './block-record';
import { blockItemKey, fromBlockItem, toBlockItem } from './block-record';
import type { Entity } from './entity';

type Client = Pick<DynamoDBDocumentClient, 'send'>;

/**
 * Every well-formed block in the table, expired ones included (DynamoDB deletes them lazily).
 * `pageTimeoutMs` bounds each page read, so a hung connection cannot hold a caller forever.
 */
export async function scanBlocks(
  client: Client,
  tableName: string,
  options: { pageTimeoutMs?: number } = {},
): Promise<BlockRecord[]> {
  const records: BlockRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
      options.pageTimeoutMs ? { abortSignal: AbortSignal.timeout(options.pageTimeoutMs) } : undefined,
    );
    for (const item of page.Items ?? []) {
      const record = fromBlockItem(item);
      if (record) records.push(record);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records;
}

/** Writes a block or throttle, replacing any existing one for the entity (a manual decision overrides). */
export async function putBlock(client: Client, tableName: string, record: BlockRecord): Promise<void> {
  await client.send(new PutCommand({ TableName: tableName, Item: toBlockItem(record) }));
}

/** Removes an entity's block or throttle; resolves to whether there was an item, and what it was. */
export async function deleteBlock(
  client: Client,
  tableName: string,
  entity: Entity,
): Promise<{ removed: boolean; record: BlockRecord | undefined }> {
  const result = await client.send(
    new DeleteCommand({ TableName: tableName, Key: blockItemKey(entity), ReturnValues: 'ALL_OLD' }),
  );
  const item = result.Attributes;
  return { removed: item !== undefined, record: item ? fromBlockItem(item) : undefined };
}
