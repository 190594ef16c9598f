// The tables a stack keeps when it is deleted (the blocklist: operator data), found before the
// deletion from the stack's resources, and deleted only on request (`teardown --delete-data`):
// deletion protection off, then DeleteTable.
import { TABLES } from '../../core/shared/tables';
import { RETAINED_TABLE_IDS } from '../templates/generated-fragments';
import { STACK_TAG_KEY } from '../templates/tags';
import type { AwsClients } from './aws-clients';
import type { Clock } from './clock';

export interface RetainedTable {
  logicalId: string;
  /** The table's physical name. */
  tableName: string;
}

const RETAINED_LOGICAL_IDS: ReadonlySet<string> = new Set(
  RETAINED_TABLE_IDS.map((id) => TABLES[id].logicalId),
);

export function retainedTables(
  resources: ReadonlyArray<{ logicalId: string; type: string; physicalId?: string }>,
): RetainedTable[] {
  return resources
    .filter((r) => r.type === 'AWS::DynamoDB::Table' && RETAINED_LOGICAL_IDS.has(r.logicalId) && r.physicalId)
    .map((r) => ({ logicalId: r.logicalId, tableName: r.physicalId! }));
}

export function tableArn(region: string, account: string, tableName: string): string {
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:dynamodb:${region}:${account}:table/${tableName}`;
}

/**
 * Tables an earlier deletion of the stack kept, found without the stack: CloudFormation names them
 * `<stack>-<logical id>-<suffix>`, and the stack tag confirms the owner.
 */
export async function orphanedTables(
  clients: Pick<AwsClients, 'dynamodb'>,
  stackName: string,
  arnOf: (tableName: string) => string,
): Promise<RetainedTable[]> {
  const prefixes = [...RETAINED_LOGICAL_IDS].map((logicalId) => ({
    logicalId,
    prefix: `${stackName}-${logicalId}-`,
  }));
  const found: RetainedTable[] = [];
  let start: string | undefined;
  do {
    const page = await clients.dynamodb.listTables({ ExclusiveStartTableName: start });
    for (const tableName of page.TableNames ?? []) {
      const match = prefixes.find((p) => tableName.startsWith(p.prefix));
      if (!match) continue;
      const { Tags } = await clients.dynamodb.listTagsOfResource({ ResourceArn: arnOf(tableName) });
      if (Tags?.some((t) => t.Key === STACK_TAG_KEY && t.Value === stackName)) {
        found.push({ logicalId: match.logicalId, tableName });
      }
    }
    start = page.LastEvaluatedTableName;
  } while (start);
  return found;
}

const errorName = (error: unknown) => (error as { name?: string }).name;
/** A table whose protection was just turned off may report ResourceInUse for a moment. */
const IN_USE_ATTEMPTS = 5;
const IN_USE_WAIT_MS = 2_000;

/** Deletes each table (already gone counts as deleted); returns what was removed, for `cleaned`. */
export async function deleteRetainedTables(
  clients: Pick<AwsClients, 'dynamodb'>,
  tables: readonly RetainedTable[],
  clock: Pick<Clock, 'sleep'>,
): Promise<string[]> {
  const deleted: string[] = [];
  for (const { tableName } of tables) {
    try {
      await clients.dynamodb.updateTable({ TableName: tableName, DeletionProtectionEnabled: false });
      for (let attempt = 1; ; attempt++) {
        try {
          await clients.dynamodb.deleteTable({ TableName: tableName });
          break;
        } catch (error) {
          if (errorName(error) !== 'ResourceInUseException' || attempt >= IN_USE_ATTEMPTS) throw error;
          await clock.sleep(IN_USE_WAIT_MS);
        }
      }
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
    deleted.push(`DynamoDB table ${tableName} and its data`);
  }
  return deleted;
}
