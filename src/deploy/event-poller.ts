// I/O: reads a stack's new events. DescribeStackEvents pages newest-first, so each poll reads pages
// only back to the last event already seen (or to the operation's start), then returns the new
// events oldest-first. It keeps no timers: the activity monitor decides when to poll.
import type { StackEvent as SdkStackEvent } from '@aws-sdk/client-cloudformation';
import { type CloudFormationApi, isNotFound } from './aws-clients';

export interface StackEvent {
  id: string;
  stackId: string;
  stackName: string;
  logicalId: string;
  physicalId?: string;
  resourceType: string;
  status: string;
  reason?: string;
  timestamp: Date;
  /** The event is about the stack itself, not one of its resources. */
  isStack: boolean;
}

export function toStackEvent(e: SdkStackEvent): StackEvent {
  const isStack = e.ResourceType === 'AWS::CloudFormation::Stack' && e.LogicalResourceId === e.StackName;
  return {
    id: e.EventId ?? `${e.LogicalResourceId}-${e.Timestamp?.toISOString()}-${e.ResourceStatus}`,
    stackId: e.StackId ?? '',
    stackName: e.StackName ?? '',
    logicalId: e.LogicalResourceId ?? '',
    physicalId: e.PhysicalResourceId || undefined,
    resourceType: e.ResourceType ?? '',
    status: e.ResourceStatus ?? '',
    reason: e.ResourceStatusReason || undefined,
    timestamp: e.Timestamp ?? new Date(0),
    isStack,
  };
}

const OPERATION_START = new Set([
  'CREATE_IN_PROGRESS',
  'UPDATE_IN_PROGRESS',
  'DELETE_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
]);

export interface PollerStart {
  /** Events up to and including this one are old. */
  afterEventId?: string;
  /** Events before this time are old (when no event id can mark where the operation begins). */
  since?: Date;
}

export class StackEventPoller {
  private lastSeenId: string | undefined;
  private readonly since: Date | undefined;
  private readonly seen = new Set<string>();

  /** `stack` should be the stack id (ARN) when known: a deleted stack's events are found only by id. */
  constructor(
    private readonly cfn: CloudFormationApi,
    private readonly stack: string,
    start: PollerStart = {},
    private readonly maxPages = 20,
  ) {
    this.lastSeenId = start.afterEventId;
    this.since = start.since;
  }

  /** New events since the previous poll, oldest first. Throws the SDK's errors (the monitor backs off). */
  async poll(): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    let reachedOld = false;
    for (let page = 0; page < this.maxPages && !reachedOld; page++) {
      const output = await this.cfn.describeStackEvents({ StackName: this.stack, NextToken: token });
      for (const raw of output.StackEvents ?? []) {
        const event = toStackEvent(raw);
        if (event.id === this.lastSeenId || (this.since && event.timestamp < this.since)) {
          reachedOld = true;
          break;
        }
        // Guards against an event seen on an earlier poll reappearing when a page boundary shifts.
        if (!this.seen.has(event.id)) fresh.push(event);
      }
      token = output.NextToken;
      if (!token) break;
    }
    fresh.reverse();
    for (const event of fresh) this.seen.add(event.id);
    if (fresh.length > 0) this.lastSeenId = fresh[fresh.length - 1]!.id;
    return fresh;
  }
}

/** The id of the newest event, to start a poller that reports only what a new operation causes. */
export async function newestEventId(cfn: CloudFormationApi, stack: string): Promise<string | undefined> {
  const output = await cfn.describeStackEvents({ StackName: stack });
  return output.StackEvents?.[0]?.EventId;
}

/**
 * Where the events of an operation about to start will begin: after the newest event, or, when that
 * read fails, at `now`. Without either, the poller would replay the stack's history as new and root
 * cause analysis could cite an old failure.
 */
export async function eventMarker(cfn: CloudFormationApi, stack: string, now: number): Promise<PollerStart> {
  try {
    const afterEventId = await newestEventId(cfn, stack);
    return afterEventId ? { afterEventId } : {};
  } catch (error) {
    // A stack that does not exist (yet) has no history to skip.
    return isNotFound(error) ? {} : { since: new Date(now) };
  }
}

/**
 * Where the operation running now began: just after the event before its stack-level start event, so
 * attaching shows that operation and none of the history. Undefined when its start is not within
 * `maxPages` pages.
 */
export async function runningOperationStart(
  cfn: CloudFormationApi,
  stack: string,
  maxPages = 20,
): Promise<PollerStart | undefined> {
  let token: string | undefined;
  let startSeen = false;
  for (let page = 0; page < maxPages; page++) {
    const output = await cfn.describeStackEvents({ StackName: stack, NextToken: token });
    for (const raw of output.StackEvents ?? []) {
      const event = toStackEvent(raw);
      if (startSeen) return { afterEventId: event.id };
      startSeen = event.isStack && OPERATION_START.has(event.status);
    }
    token = output.NextToken;
    if (!token) break;
  }
  // The start is the stack's very first event: everything there is belongs to this operation.
  return startSeen ? {} : undefined;
}

/** The latest `count` events, newest first (for `status` and for a past failure's root cause). */
export async function recentEvents(
  cfn: CloudFormationApi,
  stack: string,
  count: number,
): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  do {
    const output = await cfn.describeStackEvents({ StackName: stack, NextToken: token });
    events.push(...(output.StackEvents ?? []).map(toStackEvent));
    token = output.NextToken;
  } while (token && events.length < count);
  return events.slice(0, count);
}

/** The events of the stack's most recent operation (back to its start), oldest first. */
export async function lastOperationEvents(
  cfn: CloudFormationApi,
  stack: string,
  maxPages = 20,
): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const output = await cfn.describeStackEvents({ StackName: stack, NextToken: token });
    for (const raw of output.StackEvents ?? []) {
      const event = toStackEvent(raw);
      events.push(event);
      if (event.isStack && OPERATION_START.has(event.status)) return events.reverse();
    }
    token = output.NextToken;
    if (!token) break;
  }
  return events.reverse();
}
