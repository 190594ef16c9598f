// The last phase of `deploy`: how the executed change set ended, as a DeployResult. A failure names
// its root cause; when the gateway's tasks cannot start (ECS fail-fast) an update is cancelled and a
// first create deleted, with the stopped tasks' reasons; Ctrl-C does the same.
import type { RenderedStack } from '../templates';
import type { FollowOutcome } from './activity-monitor';
import type { ChangeRow } from './change-table';
import { type DeploySession, resultBase } from './deploy-session';
import { commandFor } from './engine';
import type { PollerStart } from './event-poller';
import { gatewayLogGroup } from './ecs-watch';
import { describeStack, gatewayUrlOf, stackOutputs } from './preflight';
import { deleteAndFollow, interruptOperation, requestToken } from './recovery';
import type { DeployResult } from './results';
import { rootCause } from './root-cause';
import { operationOutcome } from './stack-status';
import { bestEffort } from './throttle';

/** An executed change set: the stack it runs on and where its events begin. */
export interface RunningOperation {
  stackId: string;
  creating: boolean;
  rows: ChangeRow[];
  start: PollerStart;
}

export async function operationResult(
  session: DeploySession,
  rendered: RenderedStack,
  operation: RunningOperation,
  outcome: FollowOutcome,
): Promise<DeployResult> {
  switch (outcome.kind) {
    case 'ended':
      return endedResult(session, rendered, operation, outcome);
    case 'timed-out':
      return {
        ...resultBase(session, rendered),
        status: 'timed-out',
        stackStatus: outcome.status,
        nextSteps: [commandFor('status', session.target, '--follow')],
      };
    case 'ecs-failed':
      return operation.creating
        ? ecsFailedCreate(session, rendered, operation, outcome)
        : ecsFailedUpdate(session, rendered, operation, outcome);
    case 'aborted':
      return interruptedResult(session, rendered, operation);
  }
}

async function endedResult(
  session: DeploySession,
  rendered: RenderedStack,
  operation: RunningOperation,
  outcome: Extract<FollowOutcome, { kind: 'ended' }>,
): Promise<DeployResult> {
  const { target, ops } = session;
  const { status } = outcome;
  const result = operationOutcome(status);
  if (result === 'succeeded') {
    const outputs = stackOutputs(await describeStack(ops.cfn, operation.stackId, ops.clock));
    return {
      ...resultBase(session, rendered),
      status: 'deployed',
      stackStatus: status,
      created: operation.creating,
      changes: operation.rows,
      outputs,
      gatewayUrl: gatewayUrlOf(outputs),
    };
  }
  const failures = rootCause(outcome.events);
  if (result === 'needs-decision') {
    return {
      ...resultBase(session, rendered),
      status: 'needs-decision',
      stackStatus: status,
      reason: 'the update failed and so did its rollback',
      rootCause: failures,
      nextSteps: [commandFor('deploy', target, '--recover')],
    };
  }
  // A failed first create leaves ROLLBACK_COMPLETE: the next deploy deletes and recreates it.
  return {
    ...resultBase(session, rendered),
    status: 'failed',
    stackStatus: status,
    rolledBack: result === 'rolled-back',
    rootCause: failures,
    nextSteps: [commandFor('deploy', target)],
  };
}

type EcsFailure = Extract<FollowOutcome, { kind: 'ecs-failed' }>;

/**
 * The gateway's tasks cannot start during a first create. CloudFormation would wait hours for the
 * service to stabilise and then roll back to ROLLBACK_COMPLETE, which the next deploy must delete
 * anyway; deleting the half-made stack now ends it in minutes and leaves nothing behind.
 */
async function ecsFailedCreate(
  session: DeploySession,
  rendered: RenderedStack,
  operation: RunningOperation,
  outcome: EcsFailure,
): Promise<DeployResult> {
  const { ctx, target } = session;
  ctx.onProgress({
    type: 'step',
    step: 'recovery',
    message: `the gateway tasks cannot start: deleting the half-made ${target.stackName}`,
  });
  const deletion = await deleteAndFollow(
    session.ops,
    operation.stackId,
    operation.rows.length,
    ctx.detachSignal,
  );
  const deleted = deletion.kind === 'ended' && deletion.status === 'DELETE_COMPLETE';
  return {
    ...resultBase(session, rendered),
    status: 'failed',
    stackStatus: deletion.status,
    rolledBack: false,
    deleted,
    rootCause: rootCause(outcome.events),
    ecsReasons: outcome.reasons,
    nextSteps: deleted
      ? [commandFor('deploy', target, '--image-uri <an image the tasks can pull and run>')]
      : [commandFor('status', target, '--follow'), commandFor('teardown', target)],
  };
}

/** The update's new tasks cannot start: cancel it now, and CloudFormation rolls back to what ran. */
async function ecsFailedUpdate(
  session: DeploySession,
  rendered: RenderedStack,
  operation: RunningOperation,
  outcome: EcsFailure,
): Promise<DeployResult> {
  const { ops, target } = session;
  const cancel = { StackName: operation.stackId, ClientRequestToken: requestToken() };
  await bestEffort(() => ops.cfn.cancelUpdateStack(cancel));
  const logGroup = await gatewayLogGroup(ops.cfn, operation.stackId);
  return {
    ...resultBase(session, rendered),
    status: 'failed',
    stackStatus: outcome.status,
    rolledBack: false,
    rootCause: rootCause(outcome.events),
    ecsReasons: outcome.reasons,
    nextSteps: [
      commandFor('status', target, '--follow'),
      ...(logGroup ? [`aws logs tail ${logGroup} --since 1h --region ${target.region}`] : []),
      commandFor('deploy', target, '--image-uri <an image the tasks can pull and run>'),
    ],
  };
}

/** Ctrl-C: cancel an update (CloudFormation rolls it back) or delete a half-made first create. */
async function interruptedResult(
  session: DeploySession,
  rendered: RenderedStack,
  operation: RunningOperation,
): Promise<DeployResult> {
  const { ctx, target } = session;
  ctx.onProgress({
    type: 'step',
    step: 'recovery',
    message: operation.creating
      ? `interrupted: deleting the half-made ${target.stackName}`
      : `interrupted: cancelling the update of ${target.stackName}`,
  });
  const interruption = await interruptOperation(
    session.ops,
    operation.stackId,
    operation.creating ? 'create' : 'update',
    operation.rows.length,
    ctx.detachSignal,
  );
  const deployAgain = commandFor('deploy', target);
  return {
    ...resultBase(session, rendered),
    status: 'interrupted',
    action: interruption.action,
    stackStatus: interruption.status,
    nextSteps:
      interruption.action === 'detached'
        ? [commandFor('status', target, '--follow'), deployAgain]
        : [deployAgain],
  };
}
