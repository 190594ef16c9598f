// `status`: the stack's state, outputs and latest events, and in full mode the ECS service's
// running/desired counts and the load balancer's target health. `follow` tails a running operation.
// Only the stack's own description is essential: when another read fails, the result says which
// and shows the rest.
import type { StackMode } from '../templates';
import { followStack, type FollowOutcome } from './activity-monitor';
import { failedCall, type FailedCall } from './aws-error';
import { listStackResources } from './cleanup';
import type { EngineContext } from './engine';
import { fromMonitor } from './events';
import { recentEvents } from './event-poller';
import { MODE_TAG } from './execute';
import { describeStack, gatewayUrlOf, stackOutputs } from './preflight';
import { isInProgress, stackPhase, type StackPhase } from './stack-status';
import { serviceRefFromArn } from './ecs-watch';

export interface ServiceHealth {
  cluster: string;
  service: string;
  running: number;
  desired: number;
  pending: number;
  rolloutState?: string;
  /** Latest service event messages, newest first. */
  events: string[];
}

export interface TargetHealth {
  healthy: number;
  total: number;
  targets: Array<{ id: string; state: string; reason?: string }>;
}

export interface RecentEvent {
  timestamp: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason?: string;
}

export type StatusResult =
  | { status: 'absent'; stackName: string; region: string }
  | {
      status: 'present';
      stackName: string;
      region: string;
      stackStatus: string;
      phase: StackPhase;
      mode?: StackMode;
      lastUpdated?: string;
      terminationProtection: boolean;
      outputs: Record<string, string>;
      gatewayUrl?: string;
      events: RecentEvent[];
      service?: ServiceHealth;
      targets?: TargetHealth;
      /** The reads that failed, each named, with AWS's answer; what they would have shown is absent. */
      unavailable: FailedCall[];
    };

/** 0 when the stack is there and usable (or busy), 1 when absent or broken, 3 when it needs `--recover`. */
export function statusExitCode(result: StatusResult): number {
  if (result.status === 'absent') return 1;
  if (result.phase === 'rollback-failed') return 3;
  return result.phase === 'stable' || result.phase === 'busy' ? 0 : 1;
}

export async function stackStatus(
  request: { stackName: string; events?: number },
  ctx: EngineContext,
): Promise<StatusResult> {
  const { clients, clock } = ctx;
  const region = await clients.region();
  const stack = await describeStack(clients.cloudFormation, request.stackName, clock);
  if (!stack) return { status: 'absent', stackName: request.stackName, region };
  const stackId = stack.StackId!;
  const outputs = stackOutputs(stack);
  const unavailable: FailedCall[] = [];
  const attempt = async <T>(call: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      unavailable.push(failedCall(error, call));
      return undefined;
    }
  };
  const events = (
    (await attempt('CloudFormation DescribeStackEvents', () =>
      recentEvents(clients.cloudFormation, stackId, request.events ?? 10),
    )) ?? []
  ).map((e) => ({
    timestamp: e.timestamp.toISOString(),
    logicalId: e.logicalId,
    resourceType: e.resourceType,
    status: e.status,
    ...(e.reason ? { reason: e.reason } : {}),
  }));
  const resources =
    (await attempt('CloudFormation ListStackResources', () => listStackResources(clients, stackId))) ?? [];
  const tagged = stack.Tags?.find((t) => t.Key === MODE_TAG)?.Value as StackMode | undefined;
  const serviceArn = resources.find((r) => r.type === 'AWS::ECS::Service')?.physicalId;
  const mode = tagged ?? (serviceArn ? 'full' : resources.length > 0 ? 'foundation' : undefined);
  const result: StatusResult = {
    status: 'present',
    stackName: request.stackName,
    region,
    stackStatus: stack.StackStatus ?? '',
    phase: stackPhase(stack.StackStatus),
    mode,
    lastUpdated: (stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString(),
    terminationProtection: stack.EnableTerminationProtection === true,
    outputs,
    gatewayUrl: gatewayUrlOf(outputs),
    events,
    unavailable,
  };
  const ref = serviceRefFromArn(serviceArn);
  if (ref) {
    const described = await attempt('ECS DescribeServices', () =>
      clients.ecs.describeServices({ cluster: ref.cluster, services: [ref.service] }),
    );
    const svc = described?.services?.[0];
    if (svc) {
      result.service = {
        ...ref,
        running: svc.runningCount ?? 0,
        desired: svc.desiredCount ?? 0,
        pending: svc.pendingCount ?? 0,
        rolloutState: svc.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState,
        events: (svc.events ?? []).slice(0, 5).map((e) => e.message ?? ''),
      };
    }
  }
  const targetGroup = resources.find(
    (r) => r.type === 'AWS::ElasticLoadBalancingV2::TargetGroup',
  )?.physicalId;
  const health = targetGroup
    ? await attempt('ElasticLoadBalancingV2 DescribeTargetHealth', () =>
        clients.elbv2.describeTargetHealth({ TargetGroupArn: targetGroup }),
      )
    : undefined;
  if (health) {
    const targets = (health.TargetHealthDescriptions ?? []).map((t) => ({
      id: `${t.Target?.Id ?? '?'}:${t.Target?.Port ?? ''}`,
      state: t.TargetHealth?.State ?? 'unknown',
      ...(t.TargetHealth?.Description ? { reason: t.TargetHealth.Description } : {}),
    }));
    result.targets = {
      healthy: targets.filter((t) => t.state === 'healthy').length,
      total: targets.length,
      targets,
    };
  }
  return result;
}

/**
 * Tails the running operation's events until it ends (the command printed after a detach or a
 * timeout). Returns undefined when nothing is running.
 */
export async function followOperation(
  request: { stackName: string; timeoutMs?: number },
  ctx: EngineContext,
): Promise<FollowOutcome | undefined> {
  const { clients, clock } = ctx;
  const stack = await describeStack(clients.cloudFormation, request.stackName, clock);
  if (!stack || !isInProgress(stack.StackStatus)) return undefined;
  return followStack({
    cfn: clients.cloudFormation,
    stack: stack.StackId!,
    start: { since: stack.DeletionTime ?? stack.LastUpdatedTime ?? stack.CreationTime },
    total: 0,
    clock,
    intervals: ctx.intervals,
    signal: ctx.signal,
    deadline: clock.now() + (request.timeoutMs ?? 3_600_000),
    onEvent: (e) => ctx.onProgress(fromMonitor(e)),
  });
}
