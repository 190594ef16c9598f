// Pure: a change set's changes as table rows, with what a user must notice flagged: replacements,
// security-relevant resources (IAM, security groups, ...), and replacements or deletions of stateful
// resources, which lose data and are refused unless the user allows them.
import type { Change } from '@aws-sdk/client-cloudformation';
import { STATEFUL_LOSS, STATEFUL_RESOURCE_TYPES } from '../templates';

export type ReplacementFlag = 'yes' | 'conditional' | 'no';

export interface ChangeRow {
  action: string;
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** Replacement creates a new resource and deletes the old one (new name, new data). */
  replacement: ReplacementFlag;
  stateful: boolean;
  security: boolean;
}

export interface DestructiveChange {
  logicalId: string;
  resourceType: string;
  action: string;
  replacement: ReplacementFlag;
  /** What would be lost, for the refusal message. */
  loss: string;
}

const SECURITY_TYPES = [
  /^AWS::IAM::/,
  /^AWS::EC2::SecurityGroup/,
  /^AWS::Lambda::Permission$/,
  /^AWS::SecretsManager::/,
  /^AWS::KMS::/,
  /^AWS::SNS::TopicPolicy$/,
  /^AWS::S3::BucketPolicy$/,
  /^AWS::ElasticLoadBalancingV2::Listener$/,
];

export function isSecurityRelevant(resourceType: string): boolean {
  return SECURITY_TYPES.some((pattern) => pattern.test(resourceType));
}

function replacementFlag(value: string | undefined): ReplacementFlag {
  if (value === 'True') return 'yes';
  if (value === 'Conditional') return 'conditional';
  return 'no';
}

export function changeRows(
  changes: readonly Change[],
  statefulTypes: readonly string[] = STATEFUL_RESOURCE_TYPES,
): ChangeRow[] {
  return changes
    .map((c) => c.ResourceChange)
    .filter((rc) => rc !== undefined)
    .map((rc) => {
      const resourceType = rc.ResourceType ?? '';
      return {
        action: rc.Action ?? 'Modify',
        logicalId: rc.LogicalResourceId ?? '',
        resourceType,
        physicalId: rc.PhysicalResourceId || undefined,
        replacement: rc.Action === 'Modify' ? replacementFlag(rc.Replacement) : 'no',
        stateful: statefulTypes.includes(resourceType),
        security: isSecurityRelevant(resourceType),
      };
    });
}

/** Stateful resources the change set would delete or (possibly) replace. */
export function destructiveChanges(rows: readonly ChangeRow[]): DestructiveChange[] {
  return rows
    .filter((r) => r.stateful && (r.action === 'Remove' || r.replacement !== 'no'))
    .map((r) => ({
      logicalId: r.logicalId,
      resourceType: r.resourceType,
      action: r.action,
      replacement: r.replacement,
      loss: STATEFUL_LOSS[r.resourceType] ?? 'the data it holds',
    }));
}

export function describeDestructive(change: DestructiveChange): string {
  const what =
    change.action === 'Remove'
      ? 'would be deleted'
      : change.replacement === 'yes'
        ? 'would be replaced'
        : 'may be replaced';
  return `${change.logicalId} (${change.resourceType}) ${what}, losing ${change.loss}`;
}

/** Table cells for the CLI: ACTION, RESOURCE, TYPE, REPLACEMENT, NOTE. */
export function changeCells(row: ChangeRow): string[] {
  const notes = [row.stateful ? 'stateful' : '', row.security ? 'security' : ''].filter(Boolean).join(', ');
  const replace =
    row.replacement === 'yes' ? 'REPLACE' : row.replacement === 'conditional' ? 'MAY REPLACE' : '';
  return [row.action, row.logicalId, row.resourceType, replace, notes];
}
