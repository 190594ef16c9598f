// `teardown`: delete the stack following its events; idempotent when it is gone. On DELETE_FAILED,
// name what blocked it, clear what can be cleared, retry, and as a last resort retain the blockers
// (after asking) so the stack itself goes. Then remove what the stack leaves behind. The blocklist
// table (operator data) is retained by the stack; it goes only with --delete-data, after a
// confirmation that names it.
import type { StackMode } from '../templates';
import { followStack } from './activity-monitor';
import { artifactsBucketName } from './assets';
import { failedCall, type FailedCall } from './aws-error';
import {
  deleteBucket,
  deleteCreatedRepository,
  deleteLogGroups,
  emptyBucket,
  lambdaLogGroups,
  listStackResources,
} from './cleanup';
import { type EngineContext, commandFor } from './engine';
import { fromMonitor } from './events';
import { callerIdentity, describeStack } from './preflight';
import { deleteAndFollow } from './recovery';
import type { TeardownResult } from './results';
import type { FailedResource } from './root-cause';
import { deleteRetainedTables, orphanedTables, retainedTables, tableArn } from './retained-data';
import { isInProgress } from './stack-status';

export interface TeardownRequest {
  mode: StackMode;
  stackName: string;
  /** Turn termination protection off first. @default false */
  force?: boolean;
  /** Keep the ECR repository deploy created. @default false */
  keepImages?: boolean;
  /** Also delete the shared artifacts bucket (used by every stack of the account in the region). @default false */
  purgeArtifacts?: boolean;
  /** On a repeated DELETE_FAILED, retain the blocking resources without asking. @default false */
  retainBlocking?: boolean;
  /** Also delete the tables the stack retains (the blocklist and its data), after confirming. @default false */
  deleteData?: boolean;
  /** @default 3600000 */
  timeoutMs?: number;
}

export async function teardownStack(request: TeardownRequest, ctx: EngineContext): Promise<TeardownResult> {
  const { clients, clock, onProgress: emit } = ctx;
  const cfn = clients.cloudFormation;
  const { stackName, mode } = request;
  const started = clock.now();
  const region = await clients.region();
  const target = { stackName, region, mode };
  const deps = {
    cfn,
    clock,
    intervals: ctx.intervals,
    deadline: started + (request.timeoutMs ?? 3_600_000),
    onEvent: (e: Parameters<typeof fromMonitor>[0]) => emit(fromMonitor(e)),
  };
  const base = () => ({ mode, stackName, region, elapsedMs: clock.now() - started });

  // Each clean-up step runs even when another fails: the stack is gone, so what is left is named.
  const leftovers = async (logGroups: string[]) => {
    emit({ type: 'step', step: 'cleanup', message: 'removing what the stack leaves behind' });
    const cleaned: string[] = [];
    const notCleaned: FailedCall[] = [];
    const step = async (what: string, run: () => Promise<string[]>) => {
      try {
        cleaned.push(...(await run()));
      } catch (error) {
        notCleaned.push(failedCall(error, what));
      }
    };
    await step('delete log groups', () => deleteLogGroups(clients, logGroups));
    if (!request.keepImages)
      await step('delete the ECR repository', () => deleteCreatedRepository(clients, stackName));
    if (request.purgeArtifacts) {
      await step('delete the artifacts bucket', async () => {
        const identity = await callerIdentity(clients.sts, clock);
        return deleteBucket(clients.s3, artifactsBucketName(identity.account, region));
      });
    }
    return { cleaned, notCleaned };
  };

  let stack = await describeStack(cfn, stackName, clock);
  if (stack && isInProgress(stack.StackStatus) && stack.StackStatus !== 'DELETE_IN_PROGRESS') {
    emit({
      type: 'step',
      step: 'recovery',
      message: `${stackName} is ${stack.StackStatus}: waiting for it to finish first`,
    });
    const since = stack.LastUpdatedTime ?? stack.CreationTime;
    const outcome = await followStack({
      ...deps,
      stack: stack.StackId!,
      start: { since },
      total: 0,
      signal: ctx.signal,
    });
    if (outcome.kind !== 'ended')
      return {
        ...base(),
        status: 'timed-out',
        stackStatus: outcome.status,
        nextSteps: [commandFor('teardown', target)],
      };
    stack = await describeStack(cfn, stackName, clock);
  }
  if (!stack) {
    if (!request.deleteData) return { ...base(), status: 'absent', ...(await leftovers([])) };
    // The stack is gone; an earlier teardown may have kept its tables.
    const identity = await callerIdentity(clients.sts, clock);
    const orphans = await orphanedTables(clients, stackName, (name) =>
      tableArn(region, identity.account, name),
    );
    if (
      orphans.length > 0 &&
      !(await ctx.confirm({ kind: 'delete-data', stackName, tables: orphans.map((t) => t.tableName) }))
    ) {
      return {
        ...base(),
        status: 'declined',
        reason: `deleting ${orphans.map((t) => t.tableName).join(', ')} was not confirmed`,
        nextSteps: [commandFor('teardown', target, '--delete-data --yes')],
      };
    }
    const data = await deleteRetainedTables(clients, orphans, clock);
    const { cleaned, notCleaned } = await leftovers([]);
    return { ...base(), status: 'absent', cleaned: [...cleaned, ...data], notCleaned };
  }
  const stackId = stack.StackId!;

  if (stack.EnableTerminationProtection && !request.force) {
    return {
      ...base(),
      status: 'needs-decision',
      stackStatus: stack.StackStatus,
      reason: `${stackName} has termination protection on`,
      blockers: [],
      nextSteps: [commandFor('teardown', target, '--force')],
    };
  }
  if (
    stack.StackStatus !== 'DELETE_IN_PROGRESS' &&
    !(await ctx.confirm({ kind: 'delete', stackName, region }))
  ) {
    return {
      ...base(),
      status: 'declined',
      reason: 'the deletion was not confirmed',
      nextSteps: [commandFor('teardown', target, '--yes')],
    };
  }
  const resources = await listStackResources(clients, stackId);
  const kept = retainedTables(resources);
  if (
    request.deleteData &&
    kept.length > 0 &&
    !(await ctx.confirm({ kind: 'delete-data', stackName, tables: kept.map((t) => t.tableName) }))
  ) {
    return {
      ...base(),
      status: 'declined',
      reason: `deleting ${kept.map((t) => t.tableName).join(', ')} was not confirmed`,
      nextSteps: [commandFor('teardown', target, '--delete-data --yes'), commandFor('teardown', target)],
    };
  }
  if (stack.EnableTerminationProtection)
    await cfn.updateTerminationProtection({ StackName: stackId, EnableTerminationProtection: false });

  const logGroups = lambdaLogGroups(resources);
  // Deleted after the stack, so a stack deletion that fails leaves the data where it was.
  const finished = async (retained: string[]): Promise<TeardownResult> => {
    const { cleaned, notCleaned } = await leftovers(logGroups);
    let keptData = kept;
    if (request.deleteData) {
      try {
        cleaned.push(...(await deleteRetainedTables(clients, kept, clock)));
        keptData = [];
      } catch (error) {
        notCleaned.push(failedCall(error, 'delete the retained tables'));
      }
    }
    return { ...base(), status: 'deleted', cleaned, notCleaned, retained, keptData };
  };
  emit({ type: 'step', step: 'delete', message: `deleting ${stackName} (${resources.length} resources)` });

  type Attempt =
    { kind: 'stopped'; result: TeardownResult } | { kind: 'ended'; done: boolean; status: string };
  const attempt = async (retain?: string[]): Promise<Attempt> => {
    const outcome = await deleteAndFollow(deps, stackId, resources.length, ctx.signal, retain);
    const nextSteps = [commandFor('status', target, '--follow')];
    // Ctrl-C cannot undo a deletion: it only stops the wait.
    if (outcome.kind === 'aborted')
      return {
        kind: 'stopped',
        result: {
          ...base(),
          status: 'interrupted',
          action: 'detached',
          stackStatus: outcome.status,
          nextSteps,
        },
      };
    if (outcome.kind !== 'ended')
      return {
        kind: 'stopped',
        result: { ...base(), status: 'timed-out', stackStatus: outcome.status, nextSteps },
      };
    return { kind: 'ended', done: outcome.status === 'DELETE_COMPLETE', status: outcome.status };
  };

  let tried = await attempt();
  if (tried.kind === 'stopped') return tried.result;
  if (!tried.done) {
    let blockers = await deleteBlockers(ctx, stackId);
    emit({ type: 'root-cause', failures: blockers });
    const cleared = await clearBlockers(ctx, blockers);
    emit({
      type: 'step',
      step: 'delete',
      message: `retrying the deletion${cleared.length ? ` after clearing ${cleared.join(', ')}` : ''}`,
    });
    await clock.sleep(ctx.intervals.deleteRetryMs, ctx.signal);
    tried = await attempt();
    if (tried.kind === 'stopped') return tried.result;
    if (!tried.done) {
      blockers = await deleteBlockers(ctx, stackId);
      const retain = blockers.map((b) => b.logicalId);
      const agreed =
        request.retainBlocking || (await ctx.confirm({ kind: 'retain', stackName, resources: blockers }));
      if (!agreed) {
        return {
          ...base(),
          status: 'needs-decision',
          stackStatus: tried.status,
          reason: `${retain.join(', ')} could not be deleted; retaining them lets the stack go (they are then yours to delete)`,
          blockers,
          nextSteps: [commandFor('teardown', target, '--retain-blocking')],
        };
      }
      tried = await attempt(retain);
      if (tried.kind === 'stopped') return tried.result;
      if (!tried.done)
        return {
          ...base(),
          status: 'failed',
          stackStatus: tried.status,
          blockers: await deleteBlockers(ctx, stackId),
          nextSteps: [commandFor('status', target)],
        };
      return finished(retain);
    }
  }
  return finished([]);
}

async function deleteBlockers(ctx: EngineContext, stackId: string): Promise<FailedResource[]> {
  const resources = await listStackResources(ctx.clients, stackId);
  return resources
    .filter((r) => r.status === 'DELETE_FAILED')
    .map((r) => ({
      logicalId: r.logicalId,
      resourceType: r.type,
      status: r.status,
      reason: r.reason ?? 'no reason given',
      timestamp: (r.updated ?? new Date(ctx.clock.now())).toISOString(),
      physicalId: r.physicalId,
    }));
}

/** A non-empty bucket is the blocker CloudFormation will not clear itself; others usually pass on retry. */
async function clearBlockers(
  ctx: EngineContext,
  blockers: ReadonlyArray<FailedResource & { physicalId?: string }>,
): Promise<string[]> {
  const cleared: string[] = [];
  for (const blocker of blockers) {
    if (blocker.resourceType === 'AWS::S3::Bucket' && blocker.physicalId) {
      await emptyBucket(ctx.clients.s3, blocker.physicalId).catch(() => 0);
      cleared.push(`the objects in ${blocker.physicalId}`);
    }
  }
  return cleared;
}
