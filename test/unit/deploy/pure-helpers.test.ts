// Pure parts of the engine: root cause, progress counting, change classification, throttling.
import { describe, expect, it } from 'vitest';
import { changeRows, destructiveChanges, describeDestructive } from '../../../src/deploy/change-table';
import { virtualClock } from '../../../src/deploy/clock';
import type { StackEvent } from '../../../src/deploy/event-poller';
import { formatElapsed, formatProgress, ProgressCounter } from '../../../src/deploy/progress';
import { rootCause } from '../../../src/deploy/root-cause';
import { backoffMs, isRetryableError, isThrottlingError, withRetry } from '../../../src/deploy/throttle';

let seq = 0;
function ev(
  logicalId: string,
  status: string,
  reason?: string,
  type = 'AWS::SNS::Topic',
  isStack = false,
): StackEvent {
  seq += 1;
  return {
    id: `e${seq}`,
    stackId: 's',
    stackName: 'S',
    logicalId,
    resourceType: type,
    status,
    reason,
    timestamp: new Date(1_000_000 + seq * 1000),
    isStack,
  };
}

describe('rootCause', () => {
  it('puts the earliest real failure first and drops the cancellation cascade', () => {
    const events = [
      ev('S', 'CREATE_IN_PROGRESS', undefined, 'AWS::CloudFormation::Stack', true),
      ev('Topic', 'CREATE_FAILED', 'Access Denied'),
      ev('Table', 'CREATE_FAILED', 'Resource creation cancelled'),
      ev('Queue', 'CREATE_FAILED', 'Invalid name'),
      ev(
        'S',
        'ROLLBACK_IN_PROGRESS',
        'The following resource(s) failed to create: [Topic, Table]',
        'AWS::CloudFormation::Stack',
        true,
      ),
    ];
    expect(rootCause([...events].reverse()).map((f) => `${f.logicalId}: ${f.reason}`)).toEqual([
      'Topic: Access Denied',
      'Queue: Invalid name',
    ]);
  });

  it('falls back to the stack-level reason', () => {
    const events = [
      ev('S', 'ROLLBACK_IN_PROGRESS', 'Parameter validation failed', 'AWS::CloudFormation::Stack', true),
    ];
    expect(rootCause(events)).toMatchObject([{ reason: 'Parameter validation failed' }]);
  });
});

describe('ProgressCounter', () => {
  it('counts done resources, ignores the stack, re-opens on rollback and hints at slow resources once', () => {
    const progress = new ProgressCounter(3, 0);
    expect(
      progress.apply(ev('S', 'UPDATE_IN_PROGRESS', undefined, 'AWS::CloudFormation::Stack', true), 0),
    ).toBeUndefined();
    const hint = progress.apply(
      ev('Redis', 'CREATE_IN_PROGRESS', undefined, 'AWS::ElastiCache::ReplicationGroup'),
      1000,
    );
    expect(hint).toMatch(/6-20 minutes/);
    expect(
      progress.apply(
        ev('Redis', 'CREATE_IN_PROGRESS', undefined, 'AWS::ElastiCache::ReplicationGroup'),
        2000,
      ),
    ).toBeUndefined();
    progress.apply(ev('Topic', 'CREATE_COMPLETE'), 3000);
    expect(progress.snapshot(65_000)).toMatchObject({
      done: 1,
      total: 3,
      failed: 0,
      inProgress: [{ logicalId: 'Redis', sinceMs: 64_000 }],
    });
    progress.apply(ev('Topic', 'DELETE_IN_PROGRESS'), 4000);
    expect(progress.snapshot(5000).done).toBe(0);
    expect(formatProgress(progress.snapshot(125_000))).toBe('0/3 resources, 2m05s');
    expect(formatElapsed(9_400)).toBe('9s');
  });
});

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

  it('finds stateful replacements and deletions, and says what would be lost', () => {
    const destructive = destructiveChanges(changeRows(changes));
    expect(destructive.map((d) => d.logicalId)).toEqual(['BlocklistTable', 'Redis']);
    expect(describeDestructive(destructive[0]!)).toMatch(
      /^BlocklistTable \(AWS::DynamoDB::Table\) may be replaced, losing every item/,
    );
    expect(describeDestructive(destructive[1]!)).toMatch(/would be deleted/);
  });
});

describe('throttling', () => {
  const named = (name: string, status = 400) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('recognises throttling and transient errors by name and status', () => {
    expect(isThrottlingError(named('Throttling'))).toBe(true);
    expect(isThrottlingError(named('TooManyRequestsException'))).toBe(true);
    expect(isThrottlingError(named('Whatever', 429))).toBe(true);
    expect(isThrottlingError(named('ValidationError'))).toBe(false);
    expect(isRetryableError(named('InternalFailure', 500))).toBe(true);
    expect(isRetryableError(named('AccessDenied', 403))).toBe(false);
  });

  it('backs off exponentially with a cap', () => {
    expect(backoffMs(1, 1000, 30_000, 0.5)).toBe(1000);
    expect(backoffMs(3, 1000, 30_000, 0.5)).toBe(4000);
    expect(backoffMs(10, 1000, 30_000, 0.5)).toBe(30_000);
  });

  it('retries throttled calls and rethrows other errors at once', async () => {
    const clock = virtualClock();
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw named('Throttling');
        return 'ok';
      },
      { clock },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    await expect(
      withRetry(async () => Promise.reject(named('AccessDenied', 403)), { clock }),
    ).rejects.toThrow('AccessDenied');
  });
});
