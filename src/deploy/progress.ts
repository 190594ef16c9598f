// Pure progress counting for a stack operation: which resources are done, failed or still in
// progress, and hints for the ones known to be slow. No I/O and no clock: `now` is passed in.
import type { StackEvent } from './event-poller';
import { isResourceDone, isResourceFailure } from './stack-status';

/** Resource types that routinely take minutes, with what to tell a user who is watching. */
export const SLOW_RESOURCES: Readonly<Record<string, string>> = {
  'AWS::ElastiCache::ReplicationGroup': 'ElastiCache Redis usually takes 6-20 minutes to create or delete',
  'AWS::ElastiCache::CacheCluster': 'ElastiCache Redis usually takes 6-20 minutes to create or delete',
  'AWS::ECS::Service':
    'the ECS service waits until its tasks pass the load balancer health check (a few minutes)',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'a load balancer takes about 3 minutes to become active',
  'AWS::EC2::VPCGatewayAttachment': 'detaching the internet gateway waits for network interfaces to go',
  'AWS::CloudFront::Distribution': 'CloudFront distributions take 5-15 minutes',
};

export function slowHint(resourceType: string): string | undefined {
  return SLOW_RESOURCES[resourceType];
}

export interface ProgressSnapshot {
  done: number;
  total: number;
  failed: number;
  /** Resources that started and have not finished, oldest first. */
  inProgress: Array<{ logicalId: string; resourceType: string; sinceMs: number }>;
  elapsedMs: number;
}

export class ProgressCounter {
  private readonly done = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly started = new Map<string, { resourceType: string; at: number }>();
  private readonly hinted = new Set<string>();

  /**
   * @param total resources the operation touches (the change set's changes, or the stack's resources
   *   for a delete); grows if more resources than expected report in (a rollback touches extra ones).
   */
  constructor(
    private total: number,
    private readonly startedAt: number,
  ) {}

  /** Counts one event; returns a slow-resource hint the first time such a resource starts. */
  apply(event: StackEvent, now: number): string | undefined {
    if (event.isStack) return undefined;
    const id = event.logicalId;
    if (isResourceDone(event.status)) {
      this.done.add(id);
      this.started.delete(id);
    } else if (isResourceFailure(event.status)) {
      this.failed.add(id);
      this.started.delete(id);
    } else if (/_IN_PROGRESS$/.test(event.status)) {
      // A rollback re-opens a resource that was done: it is in progress again.
      this.done.delete(id);
      if (!this.started.has(id)) this.started.set(id, { resourceType: event.resourceType, at: now });
      const hint = slowHint(event.resourceType);
      if (hint && !this.hinted.has(event.resourceType)) {
        this.hinted.add(event.resourceType);
        return `${id}: ${hint}`;
      }
    }
    this.total = Math.max(this.total, this.done.size + this.failed.size + this.started.size);
    return undefined;
  }

  snapshot(now: number): ProgressSnapshot {
    return {
      done: this.done.size,
      total: this.total,
      failed: this.failed.size,
      inProgress: [...this.started.entries()]
        .sort((a, b) => a[1].at - b[1].at)
        .map(([logicalId, s]) => ({ logicalId, resourceType: s.resourceType, sinceMs: now - s.at })),
      elapsedMs: now - this.startedAt,
    };
  }
}

/** `12/31 resources, 4m05s` */
export function formatProgress(snapshot: ProgressSnapshot): string {
  return `${snapshot.done}/${snapshot.total} resources, ${formatElapsed(snapshot.elapsedMs)}`;
}

export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes > 0 ? `${minutes}m${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}
