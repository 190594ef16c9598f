// Creates the project's tables from their single definition (core/shared/tables.ts) in a
// DynamoDB-compatible store: `sentinel dev`'s embedded store and the integration tests use it.
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition, TableId } from './tables';
import { TABLES, TABLE_IDS } from './tables';

export type TableNames = Record<TableId, string>;

export function tableNamesWithPrefix(prefix: string): TableNames {
  return {
    requestLogs: `${prefix}request-logs`,
    trafficAggregates: `${prefix}traffic-aggregates`,
    blocklist: `${prefix}blocklist`,
  };
}

async function createTable(client: DynamoDBClient, name: string, table: TableDefinition): Promise<void> {
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }] : []),
        ],
      }),
    );
  } catch (error) {
    // Idempotent: a persistent dev store already has its tables.
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // dynalite has no TTL support. Nothing depends on it: every reader checks expiry by time,
    // because real DynamoDB also deletes expired items only lazily.
    if ((error as { name?: string }).name !== 'UnknownOperationException') throw error;
  }
}

export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(TABLE_IDS.map((id) => createTable(client, names[id], TABLES[id])));
}
