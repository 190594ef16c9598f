// Template fragments built in code from their single definitions: the DynamoDB tables from
// core/shared/tables.ts, and one Secrets Manager secret per secret knob the gateway reads.
import { envName } from '../../core/config/knob';
import { TABLES, TABLE_IDS, type TableId } from '../../core/shared/tables';
import { gatewaySecretKeys, parameterName } from './parameters';
import { hasValueCondition, secretLogicalId } from './slots';
import type { CfnTemplate } from './types';

/**
 * Tables that hold operator data (manual blocks and throttles): kept when the stack is deleted or
 * the table replaced, with point-in-time recovery and deletion protection. `sentinel teardown`
 * names them and removes them only with --delete-data. The request logs and the traffic aggregates
 * are disposable: they expire within days by TTL and the gateway rebuilds them from live traffic.
 */
export const RETAINED_TABLE_IDS: readonly TableId[] = ['blocklist'];

function retention(id: TableId) {
  if (!RETAINED_TABLE_IDS.includes(id)) {
    // Deleting the stack deletes these, as `sentinel teardown` says; deploy refuses to replace a
    // table unless --allow-replace (STATEFUL_RESOURCE_TYPES).
    return { policies: { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' }, properties: {} };
  }
  return {
    policies: { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
    properties: {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    },
  };
}

export function tablesFragment(): CfnTemplate {
  const resources: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  for (const id of TABLE_IDS) {
    const table = TABLES[id];
    const keys = [table.partitionKey, ...('sortKey' in table ? [table.sortKey] : [])];
    const { policies, properties } = retention(id);
    resources[table.logicalId] = {
      Type: 'AWS::DynamoDB::Table',
      ...policies,
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        // A KMS key (the AWS-managed aws/dynamodb one: no key fee) so access shows in CloudTrail.
        SSESpecification: { SSEEnabled: true },
        ...properties,
      },
    };
    outputs[table.outputName] = {
      Description: `DynamoDB table name (${envName(table.nameKey)})`,
      Value: { Ref: table.logicalId },
    };
  }
  return { Resources: resources, Outputs: outputs };
}

/**
 * The stack stores each secret from its NoEcho parameter, so the value never appears in the task
 * definition, its environment or an output; tasks receive it through `Secrets`. An unset optional
 * secret (e.g. JWKS is used instead of a shared key) creates nothing.
 */
export function secretsFragment(): CfnTemplate {
  const conditions: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  for (const key of gatewaySecretKeys()) {
    const parameter = parameterName(key);
    conditions[hasValueCondition(key)] = { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: parameter }, ''] }] };
    resources[secretLogicalId(key)] = {
      Type: 'AWS::SecretsManager::Secret',
      Condition: hasValueCondition(key),
      Properties: {
        Description: { 'Fn::Sub': `${envName(key)} of the SentinelAPI gateway in stack \${AWS::StackName}` },
        SecretString: { Ref: parameter },
      },
    };
  }
  return { Conditions: conditions, Resources: resources };
}
