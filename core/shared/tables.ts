// The DynamoDB tables, defined once: the templates render them, the gateway and detector address
// them, and the test helpers create them in dynalite from these same definitions.
import type { ConfigKey } from '../config/schema';

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  /** CloudFormation logical id. */
  logicalId: string;
  /** Stack output that carries the physical name (the original's output names). */
  outputName: string;
  /** Config knob through which the gateway and detector receive the name. */
  nameKey: Extract<ConfigKey, `${string}TableName`>;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Attribute holding the epoch-seconds expiry that DynamoDB TTL deletes by. */
  ttlAttribute: string;
}

export const TTL_ATTRIBUTE = 'ttl';

export const TABLES = {
  requestLogs: {
    logicalId: 'RequestLogsTable',
    outputName: 'RequestLogsTableName',
    nameKey: 'requestLogsTableName',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: TTL_ATTRIBUTE,
  },
  trafficAggregates: {
    logicalId: 'TrafficAggregateTable',
    outputName: 'TrafficAggregateTableName',
    nameKey: 'trafficAggregateTableName',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: TTL_ATTRIBUTE,
  },
  blocklist: {
    logicalId: 'BlocklistTable',
    outputName: 'BlocklistTableName',
    nameKey: 'blocklistTableName',
    partitionKey: { name: 'pk', type: 'S' },
    ttlAttribute: TTL_ATTRIBUTE,
  },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof TABLES;
export const TABLE_IDS = Object.keys(TABLES) as TableId[];
