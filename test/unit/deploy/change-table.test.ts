// The change table: which changes replace, touch state or touch security, and which would lose data.
import { describe, expect, it } from 'vitest';
import { changeRows, destructiveChanges } from '../../../src/deploy/change-table';

describe('change table', () => {
  const changes = [
    {
      ResourceChange: {
        Action: 'Modify' as const,
        LogicalResourceId: 'BlocklistTable',
        ResourceType: 'AWS::DynamoDB::Table',
        Replacement: 'Conditional' as const,
      },
    },
    {
      ResourceChange: {
        Action: 'Remove' as const,
        LogicalResourceId: 'Redis',
        ResourceType: 'AWS::ElastiCache::ReplicationGroup',
      },
    },
    {
      ResourceChange: {
        Action: 'Modify' as const,
        LogicalResourceId: 'GatewaySg',
        ResourceType: 'AWS::EC2::SecurityGroup',
        Replacement: 'True' as const,
      },
    },
    {
      ResourceChange: {
        Action: 'Add' as const,
        LogicalResourceId: 'LogsTable',
        ResourceType: 'AWS::DynamoDB::Table',
      },
    },
  ];

  it('flags replacement, stateful and security-relevant changes', () => {
    const rows = changeRows(changes);
    expect(rows.map((r) => [r.logicalId, r.replacement, r.stateful, r.security])).toEqual([
      ['BlocklistTable', 'conditional', true, false],
      ['Redis', 'no', true, false],
      ['GatewaySg', 'yes', false, true],
      ['LogsTable', 'no', true, false],
    ]);
  });

  it('finds stateful replacements and deletions', () => {
    const destructive = destructiveChanges(changeRows(changes));
    expect(destructive.map((d) => [d.logicalId, d.action, d.replacement])).toEqual([
      ['BlocklistTable', 'Modify', 'conditional'],
      ['Redis', 'Remove', 'no'],
    ]);
  });
});
