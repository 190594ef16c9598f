import { describe, expect, it } from 'vitest';
import {
  isInProgress,
  isNoChangesReason,
  isOperationRunning,
  operationOutcome,
  stackPhase,
} from '../../../src/deploy/stack-status';

describe('stack status classification', () => {
  it.each([
    [undefined, 'absent'],
    ['REVIEW_IN_PROGRESS', 'absent'],
    ['DELETE_COMPLETE', 'absent'],
    ['CREATE_IN_PROGRESS', 'busy'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'busy'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'busy'],
    ['DELETE_IN_PROGRESS', 'busy'],
    ['CREATE_COMPLETE', 'stable'],
    ['UPDATE_ROLLBACK_COMPLETE', 'stable'],
    ['UPDATE_FAILED', 'stable'],
    ['ROLLBACK_COMPLETE', 'failed-create'],
    ['UPDATE_ROLLBACK_FAILED', 'rollback-failed'],
    ['ROLLBACK_FAILED', 'needs-teardown'],
    ['DELETE_FAILED', 'needs-teardown'],
  ])('%s is %s', (status, phase) => {
    expect(stackPhase(status)).toBe(phase);
  });

  it('judges how an operation ended', () => {
    expect(operationOutcome('CREATE_COMPLETE')).toBe('succeeded');
    expect(operationOutcome('DELETE_COMPLETE')).toBe('succeeded');
    expect(operationOutcome('ROLLBACK_COMPLETE')).toBe('rolled-back');
    expect(operationOutcome('UPDATE_ROLLBACK_COMPLETE')).toBe('rolled-back');
    expect(operationOutcome('UPDATE_ROLLBACK_FAILED')).toBe('needs-decision');
    expect(operationOutcome('DELETE_FAILED')).toBe('failed');
    expect(operationOutcome('ROLLBACK_FAILED')).toBe('failed');
  });

  it('REVIEW_IN_PROGRESS is an idle shell, except while following an executed change set', () => {
    expect(isInProgress('REVIEW_IN_PROGRESS')).toBe(false);
    expect(isInProgress('IMPORT_IN_PROGRESS')).toBe(true);
    expect(isOperationRunning('REVIEW_IN_PROGRESS')).toBe(true);
    expect(isOperationRunning('CREATE_IN_PROGRESS')).toBe(true);
    expect(isOperationRunning('CREATE_COMPLETE')).toBe(false);
  });

  it('recognises CloudFormation’s no-changes messages', () => {
    expect(
      isNoChangesReason(
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      ),
    ).toBe(true);
    expect(isNoChangesReason('No updates are to be performed.')).toBe(true);
    expect(isNoChangesReason('Template format error')).toBe(false);
  });
});
