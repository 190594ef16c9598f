// Recovery a user should never do by hand: delete a stack whose first create failed, continue an
// update rollback that failed (skipping what cannot roll back), and stop an operation on Ctrl-C
// (cancel an update; delete a half-made first create).
import { randomUUID } from 'node:crypto';
import type { CloudFormationApi } from './aws-clients';
import { followStack, type FollowOutcome, type MonitorEvent } from './activity-monitor';
import type { Clock, PollIntervals } from './clock';
import { eventMarker, type PollerStart } from './event-poller';

export interface OperationDeps {
  cfn: CloudFormationApi;
  clock: Clock;
  intervals: PollIntervals;
  deadline?: number;
  onEvent?: (event: MonitorEvent) => void;
}

/**
 * A ClientRequestToken for one stack operation: the client's retries re-send the same input, so a
 * call whose response was lost is recognised by CloudFormation as the same request.
 */
export function requestToken(): string {
  return `sentinel-${randomUUID()}`;
}

function startAfter(deps: OperationDeps, stackId: string): Promise<PollerStart> {
  return eventMarker(deps.cfn, stackId, deps.clock.now());
}

/** Deletes the stack and follows the deletion (by id, so the events stay readable afterwards). */
export async function deleteAndFollow(
  deps: OperationDeps,
  stackId: string,
  total: number,
  signal?: AbortSignal,
  retainResources?: string[],
): Promise<FollowOutcome> {
  const start = await startAfter(deps, stackId);
  await deps.cfn.deleteStack({
    StackName: stackId,
    RetainResources: retainResources,
    ClientRequestToken: requestToken(),
  });
  return followStack({ ...deps, stack: stackId, start, total, signal });
}

/** Resources whose update failed and so cannot roll back: the ones ContinueUpdateRollback must skip. */
export async function resourcesToSkip(cfn: CloudFormationApi, stackId: string): Promise<string[]> {
  const skip: string[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.listStackResources({ StackName: stackId, NextToken: token });
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.ResourceStatus === 'UPDATE_FAILED' && r.LogicalResourceId) skip.push(r.LogicalResourceId);
    }
    token = page.NextToken;
  } while (token);
  return skip;
}

export async function continueRollback(
  deps: OperationDeps,
  stackId: string,
  signal?: AbortSignal,
): Promise<{ skipped: string[]; outcome: FollowOutcome }> {
  const skipped = await resourcesToSkip(deps.cfn, stackId);
  const start = await startAfter(deps, stackId);
  await deps.cfn.continueUpdateRollback({
    StackName: stackId,
    ResourcesToSkip: skipped,
    ClientRequestToken: requestToken(),
  });
  const outcome = await followStack({
    ...deps,
    stack: stackId,
    start,
    total: skipped.length,
    signal,
  });
  return { skipped, outcome };
}

export interface Interruption {
  action: 'cancelled' | 'deleted' | 'detached';
  status?: string;
}

/**
 * The user pressed Ctrl-C while an operation ran. An update is cancelled (CloudFormation rolls it
 * back); a first create is deleted, since a half-made stack is useless. The wait for that ends early
 * when `detach` aborts (a second Ctrl-C): the stack goes on without us.
 */
export async function interruptOperation(
  deps: OperationDeps,
  stackId: string,
  kind: 'create' | 'update',
  total: number,
  detach?: AbortSignal,
): Promise<Interruption> {
  let outcome: FollowOutcome;
  if (kind === 'update') {
    const start = await startAfter(deps, stackId);
    try {
      await deps.cfn.cancelUpdateStack({ StackName: stackId, ClientRequestToken: requestToken() });
    } catch {
      // Too late to cancel (the update is already cleaning up or rolling back): follow it to its end.
    }
    outcome = await followStack({ ...deps, stack: stackId, start, total, signal: detach });
  } else {
    outcome = await deleteAndFollow(deps, stackId, total, detach);
  }
  if (outcome.kind === 'aborted') return { action: 'detached', status: outcome.status };
  return { action: kind === 'update' ? 'cancelled' : 'deleted', status: outcome.status };
}
