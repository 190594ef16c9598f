// ProgressCounter: pure counting of done, failed and running resources, with slow-resource hints.
import { describe, expect, it } from 'vitest';
import { formatElapsed, formatProgress, ProgressCounter, SLOW_RESOURCES } from '../../../src/deploy/progress';
import { stackEvent as ev } from '../../helpers/stack-events';

describe('ProgressCounter', () => {
  it('counts done resources, ignores the stack, re-opens on rollback and hints at slow resources once', () => {
    const redis = 'AWS::ElastiCache::ReplicationGroup';
    const progress = new ProgressCounter(3, 0);
    expect(
      progress.apply(ev('S', 'UPDATE_IN_PROGRESS', undefined, 'AWS::CloudFormation::Stack', true), 0),
    ).toBeUndefined();
    const hint = progress.apply(ev('Redis', 'CREATE_IN_PROGRESS', undefined, redis), 1000);
    expect(hint).toBe(`Redis: ${SLOW_RESOURCES[redis]}`);
    expect(progress.apply(ev('Redis', 'CREATE_IN_PROGRESS', undefined, redis), 2000)).toBeUndefined();
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
