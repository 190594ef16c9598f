// Stack-state recovery before a change set: a stack busy with another operation is followed to its
// end, a failed first create is deleted (after confirmation), a failed rollback is continued with
// `--recover`, and a state only teardown can fix is reported. The answer is either a stack ready for
// a change set (undefined: there is none, create it) or the result to return instead.
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { RenderedStack } from '../templates';
import { followStack } from './activity-monitor';
import { type DeploySession, resultBase } from './deploy-session';
import { commandFor } from './engine';
import { lastOperationEvents, runningOperationStart } from './event-poller';
import { describeStack } from './preflight';
import { continueRollback, deleteAndFollow } from './recovery';
import type { DeployResult } from './results';
import { rootCause } from './root-cause';
import { stackPhase } from './stack-status';

export type Readiness =
  { kind: 'ready'; stack: Stack | undefined } | { kind: 'result'; result: DeployResult };

const ready = (stack: Stack | undefined): Readiness => ({ kind: 'ready', stack });
const ended = (result: DeployResult): Readiness => ({ kind: 'result', result });

export async function readyStack(session: DeploySession, rendered: RenderedStack): Promise<Readiness> {
  const { cfn, clock } = session.ops;
  let stack = await describeStack(cfn, session.target.stackName, clock);
  if (stackPhase(stack?.StackStatus) === 'busy') {
    const waited = await awaitRunningOperation(session, rendered, stack!);
    if (waited) return ended(waited);
    stack = await describeStack(cfn, session.target.stackName, clock);
  }
  switch (stackPhase(stack?.StackStatus)) {
    case 'needs-teardown':
      return ended(await needsTeardown(session, rendered, stack!));
    case 'rollback-failed':
      return recoverFailedRollback(session, rendered, stack!);
    case 'failed-create':
      return replaceFailedCreate(session, rendered, stack!);
    default:
      return ready(stack);
  }
}

/** Follows an operation someone else started; returns a result only when the wait did not end it. */
async function awaitRunningOperation(
  session: DeploySession,
  rendered: RenderedStack,
  stack: Stack,
): Promise<DeployResult | undefined> {
  const { ctx, target } = session;
  ctx.onProgress({
    type: 'step',
    step: 'recovery',
    message: `${target.stackName} is ${stack.StackStatus}: following that operation to its end first`,
  });
  const start = (await runningOperationStart(session.ops.cfn, stack.StackId!).catch(() => undefined)) ?? {
    since: stack.LastUpdatedTime ?? stack.CreationTime,
  };
  const outcome = await followStack({
    ...session.ops,
    stack: stack.StackId!,
    start,
    total: 0,
    signal: ctx.signal,
  });
  const follow = commandFor('status', target, '--follow');
  if (outcome.kind === 'timed-out')
    return {
      ...resultBase(session, rendered),
      status: 'timed-out',
      stackStatus: outcome.status,
      nextSteps: [follow],
    };
  if (outcome.kind === 'aborted')
    return {
      ...resultBase(session, rendered),
      status: 'interrupted',
      action: 'detached',
      stackStatus: outcome.status,
      nextSteps: [follow, commandFor('deploy', target)],
    };
  return undefined;
}

async function needsTeardown(
  session: DeploySession,
  rendered: RenderedStack,
  stack: Stack,
): Promise<DeployResult> {
  const { target } = session;
  return {
    ...resultBase(session, rendered),
    status: 'needs-decision',
    stackStatus: stack.StackStatus!,
    reason: `${target.stackName} is ${stack.StackStatus}; CloudFormation accepts no update in that state`,
    rootCause: rootCause(await lastOperationEvents(session.ops.cfn, stack.StackId!)),
    nextSteps: [commandFor('teardown', target), commandFor('deploy', target)],
  };
}

/** UPDATE_ROLLBACK_FAILED: only with `--recover`, continue the rollback, skipping what cannot roll back. */
async function recoverFailedRollback(
  session: DeploySession,
  rendered: RenderedStack,
  stack: Stack,
): Promise<Readiness> {
  const { ctx, target, ops } = session;
  const failures = rootCause(await lastOperationEvents(ops.cfn, stack.StackId!));
  if (!session.request.recover) {
    return ended({
      ...resultBase(session, rendered),
      status: 'needs-decision',
      stackStatus: stack.StackStatus!,
      reason: `${target.stackName} is UPDATE_ROLLBACK_FAILED: its rollback could not finish`,
      rootCause: failures,
      nextSteps: [commandFor('deploy', target, '--recover')],
    });
  }
  ctx.onProgress({
    type: 'step',
    step: 'recovery',
    message: `continuing the failed rollback of ${stack.StackName}`,
  });
  const { skipped } = await continueRollback(ops, stack.StackId!, ctx.signal);
  if (skipped.length > 0) {
    ctx.onProgress({
      type: 'warning',
      message: `skipped resources that cannot roll back (check them by hand): ${skipped.join(', ')}`,
    });
  }
  const after = (await describeStack(ops.cfn, stack.StackId!, ops.clock)) ?? stack;
  if (after.StackStatus === 'UPDATE_ROLLBACK_COMPLETE') return ready(after);
  return ended({
    ...resultBase(session, rendered),
    status: 'failed',
    stackStatus: after.StackStatus,
    rolledBack: false,
    rootCause: failures,
    nextSteps: [commandFor('status', target)],
  });
}

/** ROLLBACK_COMPLETE: a first create failed and left nothing usable; delete it (once confirmed) to create anew. */
async function replaceFailedCreate(
  session: DeploySession,
  rendered: RenderedStack,
  stack: Stack,
): Promise<Readiness> {
  const { ctx, target, ops } = session;
  const failures = rootCause(await lastOperationEvents(ops.cfn, stack.StackId!));
  ctx.onProgress({ type: 'root-cause', failures });
  if (!(await ctx.confirm({ kind: 'recreate', stackName: target.stackName, rootCause: failures }))) {
    return ended({
      ...resultBase(session, rendered),
      status: 'declined',
      reason: `${target.stackName} is ROLLBACK_COMPLETE and must be deleted before it can be created again`,
      nextSteps: [commandFor('deploy', target, '--yes')],
    });
  }
  ctx.onProgress({
    type: 'step',
    step: 'recovery',
    message: `deleting ${target.stackName} (ROLLBACK_COMPLETE) to create it again`,
  });
  const outcome = await deleteAndFollow(ops, stack.StackId!, 0, ctx.signal);
  if (outcome.kind === 'ended' && outcome.status === 'DELETE_COMPLETE') return ready(undefined);
  return ended({
    ...resultBase(session, rendered),
    status: 'failed',
    stackStatus: outcome.status,
    rolledBack: false,
    rootCause: rootCause(outcome.events),
    nextSteps: [commandFor('teardown', target)],
  });
}
