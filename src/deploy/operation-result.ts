// The last phase of `deploy`: how the executed change set ended, as a DeployResult. A failure names
// its root cause; an ECS fail-fast stops the operation; Ctrl-C cancels an update or deletes a
// half-made first create.
import type { RenderedStack } from '../templates';
import type { FollowOutcome } from './activity-monitor';
import type { ChangeRow } from './change-table';
import { type DeploySession, resultBase } from './deploy-session';
import { commandFor } from './engine';
import type { PollerStart } from './event-poller';
import { describeStack, gatewayUrlOf, stackOutputs } from './preflight';
import { interruptOperation } from './recovery';
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
  const base = resultBase(session, rendered);
  const follow = commandFor('status', session.target, '--follow');
  switch (outcome.kind) {
    case 'ended':
      return endedResult(session, rendered, operation, outcome);
    case 'timed-out':
      return { ...base, status: 'timed-out', stackStatus: outcome.status, nextSteps: [follow] };
    case 'ecs-failed':
      // CloudFormation would wait hours for the service to stabilise; rolling back now saves them.
      if (!operation.creating)
        await bestEffort(() => session.ops.cfn.cancelUpdateStack({ StackName: operation.stackId }));
      return {
        ...base,
        status: 'failed',
        stackStatus: outcome.status,
        rolledBack: false,
        rootCause: rootCause(outcome.events),
        ecsReasons: outcome.reasons,
        nextSteps: [follow],
      };
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
