// rootCause: the first real failure of an operation, ahead of CloudFormation's cancellation cascade.
import { describe, expect, it } from 'vitest';
import { rootCause } from '../../../src/deploy/root-cause';
import { stackEvent as ev } from '../../helpers/stack-events';

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
