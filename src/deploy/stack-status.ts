// Pure classification of CloudFormation stack statuses: what state the stack is in, whether an
// operation is still running, and what an ended operation means for the user.

/** What the engine must do with a stack it finds before deploying. */
export type StackPhase =
  /** No stack, or only an empty shell left by a change set that was never executed. */
  | 'absent'
  /** An operation is running: attach and follow it. */
  | 'busy'
  /** Deployable as is. */
  | 'stable'
  /** A first create failed and rolled back: nothing usable inside, delete and recreate. */
  | 'failed-create'
  /** An update's rollback failed: needs `--recover` (continue rollback, skipping what cannot roll back). */
  | 'rollback-failed'
  /** Only deletion helps (DELETE_FAILED, ROLLBACK_FAILED, ...): `sentinel teardown`. */
  | 'needs-teardown';

const BUSY = /_IN_PROGRESS$/;

export function isInProgress(status: string | undefined): boolean {
  return status !== undefined && BUSY.test(status) && status !== 'REVIEW_IN_PROGRESS';
}

/**
 * While following an executed change set: REVIEW_IN_PROGRESS means CloudFormation has not started
 * it yet (a read taken just before a create flips to CREATE_IN_PROGRESS), so it is still running.
 * Elsewhere REVIEW_IN_PROGRESS is an idle shell (see isInProgress and stackPhase).
 */
export function isOperationRunning(status: string | undefined): boolean {
  return status === 'REVIEW_IN_PROGRESS' || isInProgress(status);
}

export function stackPhase(status: string | undefined): StackPhase {
  if (status === undefined || status === 'DELETE_COMPLETE' || status === 'REVIEW_IN_PROGRESS')
    return 'absent';
  if (isInProgress(status)) return 'busy';
  switch (status) {
    case 'ROLLBACK_COMPLETE':
      return 'failed-create';
    case 'UPDATE_ROLLBACK_FAILED':
      return 'rollback-failed';
    case 'ROLLBACK_FAILED':
    case 'CREATE_FAILED':
    case 'DELETE_FAILED':
    case 'IMPORT_ROLLBACK_FAILED':
      return 'needs-teardown';
    default:
      // CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, UPDATE_FAILED (rollback disabled),
      // IMPORT_COMPLETE, IMPORT_ROLLBACK_COMPLETE: all accept a new change set.
      return 'stable';
  }
}

/** How an operation ended, judged from the status it left the stack in. */
export type OperationOutcome = 'succeeded' | 'rolled-back' | 'failed' | 'needs-decision';

export function operationOutcome(status: string): OperationOutcome {
  switch (status) {
    case 'CREATE_COMPLETE':
    case 'UPDATE_COMPLETE':
    case 'DELETE_COMPLETE':
    case 'IMPORT_COMPLETE':
      return 'succeeded';
    case 'ROLLBACK_COMPLETE':
    case 'UPDATE_ROLLBACK_COMPLETE':
    case 'IMPORT_ROLLBACK_COMPLETE':
      return 'rolled-back';
    case 'UPDATE_ROLLBACK_FAILED':
      return 'needs-decision';
    default:
      return 'failed';
  }
}

/** A resource status that means it is finished with (for progress counting). */
export function isResourceDone(status: string): boolean {
  return /_COMPLETE$/.test(status) || status === 'DELETE_SKIPPED';
}

export function isResourceFailure(status: string): boolean {
  return /_FAILED$/.test(status);
}

/** CloudFormation's own message when a change set would change nothing. */
export function isNoChangesReason(reason: string | undefined): boolean {
  return /didn't contain changes|No updates are to be performed|submitted information didn't contain/i.test(
    reason ?? '',
  );
}
