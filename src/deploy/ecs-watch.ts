// Full mode: while CloudFormation waits on the ECS service, watch the service itself. When the
// deployment circuit breaker trips, fail fast with the stopped tasks' reasons instead of waiting for
// CloudFormation to give up (which can take hours). Assessment is pure; `EcsServiceWatcher` does I/O.
import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import type { CloudFormationApi, EcsApi } from './aws-clients';
import type { StackEvent } from './event-poller';

export interface ServiceRef {
  cluster: string;
  service: string;
}

/** The service's physical id in CloudFormation is its ARN: `arn:aws:ecs:r:a:service/<cluster>/<name>`. */
export function serviceRefFromArn(arn: string | undefined): ServiceRef | undefined {
  const match = /^arn:aws[a-z-]*:ecs:[^:]+:\d+:service\/([^/]+)\/(.+)$/.exec(arn ?? '');
  return match ? { cluster: match[1]!, service: match[2]! } : undefined;
}

export type RolloutState = 'in-progress' | 'completed' | 'failed' | 'unknown';

/** The state of the deployments started since `sinceMs`; a FAILED rollout means the breaker tripped. */
export function assessRollout(service: Service, sinceMs: number): { state: RolloutState; reason?: string } {
  const recent = (service.deployments ?? []).filter(
    (d: Deployment) => (d.createdAt?.getTime() ?? 0) >= sinceMs,
  );
  const failed = recent.find((d) => d.rolloutState === 'FAILED');
  if (failed) return { state: 'failed', reason: failed.rolloutStateReason ?? 'deployment failed' };
  const primary = (service.deployments ?? []).find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'COMPLETED') return { state: 'completed' };
  if (primary?.rolloutState === 'IN_PROGRESS') return { state: 'in-progress' };
  return { state: 'unknown' };
}

/** Why tasks stopped, one line per distinct reason, e.g. a failed image pull or a crashing container. */
export function stoppedTaskReasons(tasks: readonly Task[], sinceMs: number): string[] {
  const reasons = new Set<string>();
  for (const task of tasks) {
    if ((task.stoppedAt?.getTime() ?? task.createdAt?.getTime() ?? 0) < sinceMs) continue;
    const containers = (task.containers ?? [])
      .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
      .map((c) => `${c.name}: ${c.reason ?? `exited with code ${c.exitCode}`}`);
    const parts = [task.stoppedReason, ...containers].filter(Boolean);
    if (parts.length > 0) reasons.add(parts.join('; '));
  }
  return [...reasons];
}

export interface EcsPoll {
  /** New service event messages ("has started 1 tasks", "deployment failed"), oldest first. */
  messages: string[];
  /** Set when the circuit breaker tripped: the rollout reason, then the stopped tasks' reasons. */
  failure?: string[];
  running?: number;
  desired?: number;
}

export class EcsServiceWatcher {
  private ref: ServiceRef | undefined;
  private readonly seenEvents = new Set<string>();

  constructor(
    private readonly ecs: EcsApi,
    private readonly sinceMs: number,
  ) {}

  /** Picks up the service once CloudFormation reports its physical id. */
  observe(event: StackEvent): void {
    if (this.ref || event.resourceType !== 'AWS::ECS::Service') return;
    this.ref = serviceRefFromArn(event.physicalId);
  }

  get watching(): boolean {
    return this.ref !== undefined;
  }

  async poll(): Promise<EcsPoll> {
    if (!this.ref) return { messages: [] };
    const { cluster, service } = this.ref;
    const output = await this.ecs.describeServices({ cluster, services: [service] });
    const svc = output.services?.[0];
    if (!svc) return { messages: [] };
    const messages = (svc.events ?? [])
      .filter((e) => e.id && !this.seenEvents.has(e.id) && (e.createdAt?.getTime() ?? 0) >= this.sinceMs)
      .reverse()
      .map((e) => {
        this.seenEvents.add(e.id!);
        return e.message ?? '';
      });
    const rollout = assessRollout(svc, this.sinceMs);
    const result: EcsPoll = { messages, running: svc.runningCount, desired: svc.desiredCount };
    if (rollout.state === 'failed') {
      const stopped = await this.ecs.listTasks({ cluster, serviceName: service, desiredStatus: 'STOPPED' });
      const arns = (stopped.taskArns ?? []).slice(0, 100);
      const tasks =
        arns.length > 0 ? ((await this.ecs.describeTasks({ cluster, tasks: arns })).tasks ?? []) : [];
      result.failure = [rollout.reason ?? 'deployment failed', ...stoppedTaskReasons(tasks, this.sinceMs)];
    }
    return result;
  }
}

/** The gateway's log group (the template's GatewayLogGroup), for the command that reads its logs. */
export async function gatewayLogGroup(cfn: CloudFormationApi, stackId: string): Promise<string | undefined> {
  try {
    let token: string | undefined;
    do {
      const page = await cfn.listStackResources({ StackName: stackId, NextToken: token });
      const group = page.StackResourceSummaries?.find(
        (r) => r.ResourceType === 'AWS::Logs::LogGroup' && r.LogicalResourceId === 'GatewayLogGroup',
      );
      if (group?.PhysicalResourceId) return group.PhysicalResourceId;
      token = page.NextToken;
    } while (token);
  } catch {
    // The command is a convenience; the stopped tasks' reasons are already in the result.
  }
  return undefined;
}
