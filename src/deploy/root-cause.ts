// Pure: from a failed operation's events, the resources that failed first and why. CloudFormation
// reports a cascade ("Resource creation cancelled" for everything else); the first real failure is
// what the user has to fix, so it is shown before the final state.
import type { StackEvent } from './event-poller';
import { isResourceFailure } from './stack-status';

export interface FailedResource {
  logicalId: string;
  resourceType: string;
  status: string;
  reason: string;
  timestamp: string;
}

const CASCADE =
  /Resource (creation|update|deletion) cancelled|cancelled due to|The following resource\(s\) failed/i;

function toFailed(event: StackEvent): FailedResource {
  return {
    logicalId: event.logicalId,
    resourceType: event.resourceType,
    status: event.status,
    reason: event.reason ?? 'no reason given',
    timestamp: event.timestamp.toISOString(),
  };
}

/**
 * The earliest failures with a real reason, oldest first, at most `limit`. When only cascade or
 * stack-level messages exist, the stack-level reason is returned so there is always something to show.
 */
export function rootCause(events: readonly StackEvent[], limit = 5): FailedResource[] {
  const failures = [...events]
    .filter((e) => isResourceFailure(e.status))
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const real = failures.filter((e) => !e.isStack && !CASCADE.test(e.reason ?? ''));
  if (real.length > 0) return real.slice(0, limit).map(toFailed);
  const stackLevel = [...events]
    .filter((e) => e.isStack && e.reason)
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const first = failures[0] ?? stackLevel[0];
  return first ? [toFailed(first)] : [];
}
