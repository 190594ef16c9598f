// What the engine reports while it works: one union for deploy, teardown, plan and status, passed to
// the caller's progress callback (the CLI prints it; `--json` writes each as one NDJSON line).
import type { ChangeRow, DestructiveChange } from './change-table';
import type { FailedResource } from './root-cause';
import type { MonitorEvent } from './activity-monitor';

export type Step =
  'preflight' | 'assets' | 'image' | 'change-set' | 'execute' | 'recovery' | 'delete' | 'cleanup';

export type DeployEvent =
  | { type: 'step'; step: Step; message: string }
  | { type: 'identity'; account: string; arn: string; region: string }
  | { type: 'asset'; bucket: string; key: string; uploaded: boolean; bucketCreated: boolean }
  | {
      type: 'image';
      source: 'explicit' | 'build';
      uri: string;
      /** false: the repository already had this exact image, so nothing was uploaded. */
      built?: boolean;
      uploadedBytes?: number;
      base?: string;
      platform?: string;
    }
  | {
      type: 'image-upload';
      digest: string;
      bytes: number;
      total: number;
      bytesPerSecond: number;
      done: boolean;
    }
  | { type: 'changes'; changeSetId: string; rows: ChangeRow[]; destructive: DestructiveChange[] }
  | {
      type: 'resource';
      timestamp: string;
      elapsedMs: number;
      logicalId: string;
      resourceType: string;
      status: string;
      reason?: string;
    }
  | { type: 'progress'; done: number; total: number; failed: number; elapsedMs: number; inProgress: string[] }
  | { type: 'hint'; message: string }
  | { type: 'ecs'; message: string }
  | { type: 'throttled'; what: string; retryInMs: number }
  | { type: 'warning'; message: string }
  | { type: 'log'; source: 'docker'; line: string }
  | { type: 'root-cause'; failures: FailedResource[] };

export type ProgressCallback = (event: DeployEvent) => void;

/** The monitor's events in the public shape (dates as ISO strings, no SDK objects). */
export function fromMonitor(event: MonitorEvent): DeployEvent {
  switch (event.type) {
    case 'resource':
      return {
        type: 'resource',
        timestamp: event.event.timestamp.toISOString(),
        elapsedMs: event.elapsedMs,
        logicalId: event.event.logicalId,
        resourceType: event.event.resourceType,
        status: event.event.status,
        ...(event.event.reason ? { reason: event.event.reason } : {}),
      };
    case 'progress':
      return {
        type: 'progress',
        done: event.progress.done,
        total: event.progress.total,
        failed: event.progress.failed,
        elapsedMs: event.progress.elapsedMs,
        inProgress: event.progress.inProgress.map((r) => r.logicalId),
      };
    case 'throttled':
      return { type: 'throttled', what: event.what, retryInMs: event.retryInMs };
    default:
      return event;
  }
}
