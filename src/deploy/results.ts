// Expected outcomes as values: every way deploy, teardown and status can end, and the one mapping
// from outcome to process exit code (0 ok, 1 failed or rolled back, 2 usage/config, 3 needs a
// decision, 4 timed out, 130 interrupted by the user).
import type { StackMode, StackParameter } from '../templates';
import { REDACTED } from '../../core/config/redact';
import type { ChangeRow, DestructiveChange } from './change-table';
import type { FailedResource } from './root-cause';
import type { FailedCall } from './aws-error';
import type { RetainedTable } from './retained-data';

export interface RedactedParameter {
  key: string;
  /** `********` for secrets. */
  value: string;
}

export function redactParameters(parameters: readonly StackParameter[]): RedactedParameter[] {
  return parameters.map((p) => ({ key: p.key, value: p.secret ? REDACTED : p.value }));
}

export interface ResultBase {
  mode: StackMode;
  stackName: string;
  region: string;
  account?: string;
  elapsedMs: number;
}

interface DeployBase extends ResultBase {
  parameters: RedactedParameter[];
}

/** Commands a user can paste to continue: follow, resume, recover, clean up. */
export type NextSteps = string[];

export type DeployResult =
  | (DeployBase & {
      status: 'deployed';
      stackStatus: string;
      created: boolean;
      changes: ChangeRow[];
      outputs: Record<string, string>;
      gatewayUrl?: string;
    })
  | (DeployBase & {
      status: 'no-changes';
      stackStatus: string;
      outputs: Record<string, string>;
      gatewayUrl?: string;
    })
  | (DeployBase & {
      status: 'change-set-created';
      changeSetId: string;
      changes: ChangeRow[];
      nextSteps: NextSteps;
    })
  | (DeployBase & { status: 'declined'; reason: string; changes?: ChangeRow[]; nextSteps: NextSteps })
  | (DeployBase & {
      status: 'refused';
      reason: string;
      destructive: DestructiveChange[];
      nextSteps: NextSteps;
    })
  | (DeployBase & {
      status: 'failed';
      stackStatus?: string;
      rolledBack: boolean;
      /** The half-made stack of a failed first create was deleted: nothing is left behind. */
      deleted?: boolean;
      rootCause: FailedResource[];
      /** The ECS rollout's reason, then each stopped task's (DescribeTasks stoppedReason, containers). */
      ecsReasons?: string[];
      nextSteps: NextSteps;
    })
  | (DeployBase & {
      status: 'needs-decision';
      stackStatus: string;
      reason: string;
      rootCause?: FailedResource[];
      nextSteps: NextSteps;
    })
  | (DeployBase & { status: 'timed-out'; stackStatus?: string; nextSteps: NextSteps })
  | (DeployBase & {
      status: 'interrupted';
      /** What was done about the running operation. */
      action: 'cancelled' | 'deleted' | 'detached' | 'stopped';
      stackStatus?: string;
      nextSteps: NextSteps;
    });

export type DeployStatus = DeployResult['status'];

/** Clean-up calls that failed after the stack went: named, with AWS's answer (the rest still ran). */
export type TeardownResult =
  | (ResultBase & {
      status: 'deleted';
      cleaned: string[];
      notCleaned: FailedCall[];
      retained: string[];
      /** Tables with operator data the stack keeps on deletion, left in place (no --delete-data). */
      keptData: RetainedTable[];
    })
  | (ResultBase & { status: 'absent'; cleaned: string[]; notCleaned: FailedCall[] })
  | (ResultBase & { status: 'declined'; reason: string; nextSteps: NextSteps })
  | (ResultBase & {
      status: 'needs-decision';
      stackStatus?: string;
      reason: string;
      blockers: FailedResource[];
      nextSteps: NextSteps;
    })
  | (ResultBase & {
      status: 'failed';
      stackStatus?: string;
      blockers: FailedResource[];
      nextSteps: NextSteps;
    })
  | (ResultBase & { status: 'timed-out'; stackStatus?: string; nextSteps: NextSteps })
  | (ResultBase & { status: 'interrupted'; action: 'detached'; stackStatus?: string; nextSteps: NextSteps });

const EXIT_CODES: Record<DeployStatus | TeardownResult['status'], number> = {
  deployed: 0,
  'no-changes': 0,
  'change-set-created': 0,
  deleted: 0,
  absent: 0,
  failed: 1,
  declined: 3,
  refused: 3,
  'needs-decision': 3,
  'timed-out': 4,
  interrupted: 130,
};

export function exitCodeOf(result: { status: DeployStatus | TeardownResult['status'] }): number {
  return EXIT_CODES[result.status];
}
