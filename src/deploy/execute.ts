// The second half of `deploy`: change set, review (table, stateful refusal, confirmation), execute
// and follow. deploy.ts gets the stack and its assets ready; operation-result.ts turns how the
// operation ended into the result.
import type { Stack, Tag } from '@aws-sdk/client-cloudformation';
import type { RenderedStack } from '../templates';
import { followStack, type FollowOutcome } from './activity-monitor';
import { MAX_INLINE_TEMPLATE_BYTES, s3ObjectUrl, templateKey, uploadIfMissing } from './assets';
import { changeRows, destructiveChanges, describeDestructive, type ChangeRow } from './change-table';
import {
  changeSetName,
  createChangeSet,
  discardChangeSet,
  discardPendingChangeSet,
  executeToken,
} from './change-set';
import { type DeployRequest, type DeploySession, resultBase, stoppedResult } from './deploy-session';
import { EcsServiceWatcher } from './ecs-watch';
import { commandFor } from './engine';
import { eventMarker } from './event-poller';
import { operationResult, type RunningOperation } from './operation-result';
import { describeStack, gatewayUrlOf, stackOutputs } from './preflight';
import type { DeployResult } from './results';

export const MODE_TAG = 'sentinel-api:mode';

function stackTags(request: DeployRequest): Tag[] {
  const tags = { ...request.tags, [MODE_TAG]: request.mode };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** The change set CloudFormation has computed, ready to review and execute. */
interface ReadyChangeSet {
  id: string;
  name: string;
  stackId: string;
  rows: ChangeRow[];
  creating: boolean;
}

type Step<T> = { kind: 'next'; value: T } | { kind: 'result'; result: DeployResult };

export async function executeAndFollow(
  session: DeploySession,
  assets: { rendered: RenderedStack; bucket: string },
  stack: Stack | undefined,
): Promise<DeployResult> {
  const { rendered } = assets;
  const proposed = await proposeChanges(session, assets, stack);
  if (proposed.kind === 'result') return proposed.result;
  const changeSet = proposed.value;
  const refusal = await review(session, rendered, changeSet);
  if (refusal) return refusal;
  const operation = await runChangeSet(session, changeSet);
  return operationResult(session, rendered, operation, await follow(session, operation));
}

/** CloudFormation takes at most 51,200 bytes inline; a larger template goes through the bucket. */
async function templateSource(
  session: DeploySession,
  assets: { rendered: RenderedStack; bucket: string },
): Promise<{ templateBody?: string; templateUrl?: string }> {
  const { body } = assets.rendered;
  if (Buffer.byteLength(body) <= MAX_INLINE_TEMPLATE_BYTES) return { templateBody: body };
  const key = templateKey(body);
  const { bucket } = assets;
  await uploadIfMissing(
    session.ctx.clients.s3,
    { bucket, key, account: session.account },
    body,
    'application/json',
  );
  return { templateUrl: s3ObjectUrl(bucket, session.target.region, key) };
}

/** Creates the change set; "no changes" and Ctrl-C while it is computed end the deploy here. */
async function proposeChanges(
  session: DeploySession,
  assets: { rendered: RenderedStack; bucket: string },
  stack: Stack | undefined,
): Promise<Step<ReadyChangeSet>> {
  const { ctx, request, target } = session;
  const { rendered } = assets;
  const cfn = ctx.clients.cloudFormation;
  const creating = stack === undefined || stack.StackStatus === 'REVIEW_IN_PROGRESS';
  const source = await templateSource(session, assets);
  const name = changeSetName('sentinel-deploy', ctx.clock.now());
  ctx.onProgress({
    type: 'step',
    step: 'change-set',
    message: `computing the changes to ${target.stackName}`,
  });
  const changeSet = await createChangeSet(
    cfn,
    {
      stackName: target.stackName,
      changeSetName: name,
      type: creating ? 'CREATE' : 'UPDATE',
      ...source,
      parameters: rendered.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
      tags: stackTags(request),
      description: `sentinel deploy (${request.mode})`,
    },
    { clock: ctx.clock, intervals: ctx.intervals, signal: ctx.signal },
  );
  switch (changeSet.kind) {
    case 'ready': {
      const rows = changeRows(changeSet.changes);
      return { kind: 'next', value: { id: changeSet.id, name, stackId: changeSet.stackId, rows, creating } };
    }
    case 'no-changes': {
      await discardChangeSet(cfn, changeSet.id, changeSet.stackId, { creating });
      const current = await describeStack(cfn, target.stackName, ctx.clock);
      const outputs = stackOutputs(current);
      return {
        kind: 'result',
        result: {
          ...resultBase(session, rendered),
          status: 'no-changes',
          stackStatus: current?.StackStatus ?? '',
          outputs,
          gatewayUrl: gatewayUrlOf(outputs),
        },
      };
    }
    case 'interrupted':
      return { kind: 'result', result: await abandonPending(session, rendered, changeSet, creating) };
  }
}

/** Ctrl-C while CloudFormation computes the change set: delete it once it can be deleted. */
async function abandonPending(
  session: DeploySession,
  rendered: RenderedStack,
  changeSet: { id: string; stackId: string },
  creating: boolean,
): Promise<DeployResult> {
  const { ctx, target } = session;
  ctx.onProgress({
    type: 'step',
    step: 'recovery',
    message: `interrupted: discarding the change set once CloudFormation has computed it (Ctrl-C again leaves it)`,
  });
  const discarded = await discardPendingChangeSet(
    ctx.clients.cloudFormation,
    changeSet.id,
    changeSet.stackId,
    {
      clock: ctx.clock,
      intervals: ctx.intervals,
      detachSignal: ctx.detachSignal,
      creating,
    },
  );
  const deleteCommand = `aws cloudformation delete-change-set --change-set-name ${changeSet.id} --region ${target.region}`;
  return {
    ...resultBase(session, rendered),
    status: 'interrupted',
    action: 'stopped',
    nextSteps: discarded ? [commandFor('deploy', target)] : [deleteCommand, commandFor('deploy', target)],
  };
}

/** Shows the changes; refuses data loss, stops at `--no-execute`, asks. Undefined: go ahead. */
async function review(
  session: DeploySession,
  rendered: RenderedStack,
  changeSet: ReadyChangeSet,
): Promise<DeployResult | undefined> {
  const { ctx, request, target } = session;
  const { rows } = changeSet;
  const destructive = destructiveChanges(rows);
  ctx.onProgress({ type: 'changes', changeSetId: changeSet.id, rows, destructive });
  const discard = () =>
    discardChangeSet(ctx.clients.cloudFormation, changeSet.id, changeSet.stackId, {
      creating: changeSet.creating,
    });
  const base = resultBase(session, rendered);

  if (destructive.length > 0 && !request.allowReplace) {
    await discard();
    return {
      ...base,
      status: 'refused',
      reason: `The change would lose data:\n${destructive.map((d) => `  - ${describeDestructive(d)}`).join('\n')}`,
      destructive,
      nextSteps: [commandFor('deploy', target, '--allow-replace')],
    };
  }
  if (request.execute === false) {
    return {
      ...base,
      status: 'change-set-created',
      changeSetId: changeSet.id,
      changes: rows,
      nextSteps: [
        `aws cloudformation execute-change-set --change-set-name ${changeSet.id} --region ${target.region}`,
      ],
    };
  }
  if (!(await ctx.confirm({ kind: 'execute', stackName: target.stackName, changes: rows, destructive }))) {
    await discard();
    return {
      ...base,
      status: 'declined',
      reason: 'the changes were not confirmed',
      changes: rows,
      nextSteps: [commandFor('deploy', target, '--yes')],
    };
  }
  if (ctx.signal?.aborted) {
    await discard();
    return stoppedResult(session, rendered);
  }
  return undefined;
}

/** Executes the change set, marking where this operation's events begin. */
async function runChangeSet(session: DeploySession, changeSet: ReadyChangeSet): Promise<RunningOperation> {
  const { ctx, target } = session;
  const { clock } = ctx;
  const cfn = ctx.clients.cloudFormation;
  ctx.onProgress({
    type: 'step',
    step: 'execute',
    message: `${changeSet.creating ? 'creating' : 'updating'} ${target.stackName} (${changeSet.rows.length} changes)`,
  });
  const start = await eventMarker(cfn, changeSet.stackId, clock.now());
  await cfn.executeChangeSet({
    ChangeSetName: changeSet.id,
    StackName: changeSet.stackId,
    ClientRequestToken: executeToken(changeSet.name),
  });
  return {
    stackId: changeSet.stackId,
    creating: changeSet.creating,
    rows: changeSet.rows,
    start,
  };
}

function follow(session: DeploySession, operation: RunningOperation): Promise<FollowOutcome> {
  const { ctx, request } = session;
  return followStack({
    ...session.ops,
    stack: operation.stackId,
    start: operation.start,
    total: operation.rows.length,
    signal: ctx.signal,
    ecs: request.mode === 'full' ? new EcsServiceWatcher(ctx.clients.ecs, ctx.clock.now()) : undefined,
  });
}
