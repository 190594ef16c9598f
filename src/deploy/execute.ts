// The second half of `deploy`: change set, review (table, stateful refusal, confirmation), execute,
// follow, and the result. Split from deploy.ts, which gets the stack and its assets ready.
import type { Stack, Tag } from '@aws-sdk/client-cloudformation';
import type { RenderedStack } from '../templates';
import { followStack, type MonitorEvent } from './activity-monitor';
import { MAX_INLINE_TEMPLATE_BYTES, s3ObjectUrl, templateKey, uploadIfMissing } from './assets';
import { changeRows, destructiveChanges, describeDestructive } from './change-table';
import { changeSetName, createChangeSet, discardChangeSet, discardPendingChangeSet } from './change-set';
import type { Clock, PollIntervals } from './clock';
import type { CloudFormationApi } from './aws-clients';
import type { DeployRequest } from './deploy';
import { EcsServiceWatcher } from './ecs-watch';
import { type EngineContext, commandFor } from './engine';
import { newestEventId } from './event-poller';
import { describeStack, gatewayUrlOf, stackOutputs } from './preflight';
import { interruptOperation } from './recovery';
import type { DeployResult, RedactedParameter } from './results';
import { rootCause } from './root-cause';
import { operationOutcome } from './stack-status';
import { bestEffort, withRetry } from './throttle';

export interface ExecuteInput {
  request: DeployRequest;
  ctx: EngineContext;
  rendered: RenderedStack;
  stack: Stack | undefined;
  bucket: string;
  account: string;
  region: string;
  deps: {
    cfn: CloudFormationApi;
    clock: Clock;
    intervals: PollIntervals;
    deadline: number;
    onEvent: (e: MonitorEvent) => void;
  };
  base: () => {
    mode: DeployRequest['mode'];
    stackName: string;
    region: string;
    account: string;
    parameters: RedactedParameter[];
    elapsedMs: number;
  };
}

export const MODE_TAG = 'sentinel-api:mode';

function stackTags(request: DeployRequest): Tag[] {
  const tags = { ...request.tags, [MODE_TAG]: request.mode };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export async function executeAndFollow(input: ExecuteInput): Promise<DeployResult> {
  const { request, ctx, rendered, stack, deps, base } = input;
  const { clients, clock, onProgress: emit } = ctx;
  const cfn = clients.cloudFormation;
  const { stackName } = request;
  const target = { stackName, region: input.region, mode: request.mode };
  const creating = stack === undefined || stack.StackStatus === 'REVIEW_IN_PROGRESS';

  // CloudFormation takes at most 51,200 bytes inline; a larger template goes through the bucket.
  let templateUrl: string | undefined;
  if (Buffer.byteLength(rendered.body) > MAX_INLINE_TEMPLATE_BYTES) {
    const key = templateKey(rendered.body);
    await uploadIfMissing(
      clients.s3,
      { bucket: input.bucket, key, account: input.account },
      rendered.body,
      'application/json',
    );
    templateUrl = s3ObjectUrl(input.bucket, input.region, key);
  }

  emit({ type: 'step', step: 'change-set', message: `computing the changes to ${stackName}` });
  const changeSet = await createChangeSet(
    cfn,
    {
      stackName,
      changeSetName: changeSetName('sentinel-deploy', clock.now()),
      type: creating ? 'CREATE' : 'UPDATE',
      templateBody: templateUrl ? undefined : rendered.body,
      templateUrl,
      parameters: rendered.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
      tags: stackTags(request),
      description: `sentinel deploy (${request.mode})`,
    },
    { clock, intervals: ctx.intervals, signal: ctx.signal },
  );
  if (changeSet.kind === 'no-changes') {
    await discardChangeSet(cfn, changeSet.id, changeSet.stackId, { creating });
    const current = await describeStack(cfn, stackName, clock);
    const outputs = stackOutputs(current);
    return {
      ...base(),
      status: 'no-changes',
      stackStatus: current?.StackStatus ?? '',
      outputs,
      gatewayUrl: gatewayUrlOf(outputs),
    };
  }

  if (changeSet.kind === 'interrupted') {
    emit({
      type: 'step',
      step: 'recovery',
      message: `interrupted: discarding the change set once CloudFormation has computed it (Ctrl-C again leaves it)`,
    });
    const discarded = await discardPendingChangeSet(cfn, changeSet.id, changeSet.stackId, {
      clock,
      intervals: ctx.intervals,
      detachSignal: ctx.detachSignal,
      creating,
    });
    return {
      ...base(),
      status: 'interrupted',
      action: 'stopped',
      nextSteps: discarded
        ? [commandFor('deploy', target)]
        : [
            `aws cloudformation delete-change-set --change-set-name ${changeSet.id} --region ${input.region}`,
            commandFor('deploy', target),
          ],
    };
  }

  const rows = changeRows(changeSet.changes);
  const destructive = destructiveChanges(rows);
  emit({ type: 'changes', changeSetId: changeSet.id, rows, destructive });
  const discard = () => discardChangeSet(cfn, changeSet.id, changeSet.stackId, { creating });

  if (destructive.length > 0 && !request.allowReplace) {
    await discard();
    return {
      ...base(),
      status: 'refused',
      reason: `The change would lose data:\n${destructive.map((d) => `  - ${describeDestructive(d)}`).join('\n')}`,
      destructive,
      nextSteps: [commandFor('deploy', target, '--allow-replace')],
    };
  }
  if (request.execute === false) {
    return {
      ...base(),
      status: 'change-set-created',
      changeSetId: changeSet.id,
      changes: rows,
      nextSteps: [
        `aws cloudformation execute-change-set --change-set-name ${changeSet.id} --region ${input.region}`,
      ],
    };
  }
  if (!(await ctx.confirm({ kind: 'execute', stackName, changes: rows, destructive }))) {
    await discard();
    return {
      ...base(),
      status: 'declined',
      reason: 'the changes were not confirmed',
      changes: rows,
      nextSteps: [commandFor('deploy', target, '--yes')],
    };
  }
  if (ctx.signal?.aborted) {
    await discard();
    return { ...base(), status: 'interrupted', action: 'stopped', nextSteps: [commandFor('deploy', target)] };
  }

  emit({
    type: 'step',
    step: 'execute',
    message: `${creating ? 'creating' : 'updating'} ${stackName} (${rows.length} changes)`,
  });
  const afterEventId = await withRetry(() => newestEventId(cfn, changeSet.stackId), { clock }).catch(
    () => undefined,
  );
  await withRetry(() => cfn.executeChangeSet({ ChangeSetName: changeSet.id, StackName: changeSet.stackId }), {
    clock,
  });
  const ecs = request.mode === 'full' ? new EcsServiceWatcher(clients.ecs, clock.now()) : undefined;
  const outcome = await followStack({
    ...deps,
    stack: changeSet.stackId,
    start: { afterEventId },
    total: rows.length,
    signal: ctx.signal,
    ecs,
  });
  const follow = commandFor('status', target, '--follow');

  switch (outcome.kind) {
    case 'ended': {
      const result = operationOutcome(outcome.status);
      if (result === 'succeeded') {
        const outputs = stackOutputs(await describeStack(cfn, changeSet.stackId, clock));
        return {
          ...base(),
          status: 'deployed',
          stackStatus: outcome.status,
          created: creating,
          changes: rows,
          outputs,
          gatewayUrl: gatewayUrlOf(outputs),
        };
      }
      const failures = rootCause(outcome.events);
      if (result === 'needs-decision') {
        return {
          ...base(),
          status: 'needs-decision',
          stackStatus: outcome.status,
          reason: 'the update failed and so did its rollback',
          rootCause: failures,
          nextSteps: [commandFor('deploy', target, '--recover')],
        };
      }
      // A failed first create leaves ROLLBACK_COMPLETE: the next deploy deletes and recreates it.
      return {
        ...base(),
        status: 'failed',
        stackStatus: outcome.status,
        rolledBack: result === 'rolled-back',
        rootCause: failures,
        nextSteps: [commandFor('deploy', target)],
      };
    }
    case 'timed-out':
      return { ...base(), status: 'timed-out', stackStatus: outcome.status, nextSteps: [follow] };
    case 'ecs-failed':
      // CloudFormation would wait hours for the service to stabilise; rolling back now saves them.
      if (!creating) await bestEffort(() => cfn.cancelUpdateStack({ StackName: changeSet.stackId }));
      return {
        ...base(),
        status: 'failed',
        stackStatus: outcome.status,
        rolledBack: false,
        rootCause: rootCause(outcome.events),
        ecsReasons: outcome.reasons,
        nextSteps: [follow],
      };
    case 'aborted': {
      emit({
        type: 'step',
        step: 'recovery',
        message: creating
          ? `interrupted: deleting the half-made ${stackName}`
          : `interrupted: cancelling the update of ${stackName}`,
      });
      const interruption = await interruptOperation(
        deps,
        changeSet.stackId,
        creating ? 'create' : 'update',
        rows.length,
        ctx.detachSignal,
      );
      const nextSteps =
        interruption.action === 'detached'
          ? [follow, commandFor('deploy', target)]
          : [commandFor('deploy', target)];
      return {
        ...base(),
        status: 'interrupted',
        action: interruption.action,
        stackStatus: interruption.status,
        nextSteps,
      };
    }
  }
}
