// The timer around a running stack operation: polls events every 2-3 s (with jitter), the stack's
// status about every 5 s, and in full mode the ECS service; polls more slowly while reads keep
// failing after the client's own retries (it never re-sends a call itself); stops on a
// final status, the deadline, an abort, or a tripped ECS circuit breaker. It reports through a
// callback and returns how the wait ended as a value.
import type { CloudFormationApi } from './aws-clients';
import { isNotFound } from './aws-clients';
import type { Clock, PollIntervals } from './clock';
import type { EcsServiceWatcher } from './ecs-watch';
import { type PollerStart, type StackEvent, StackEventPoller } from './event-poller';
import { ProgressCounter, type ProgressSnapshot } from './progress';
import { isOperationRunning } from './stack-status';
import { backoffMs, isRetryableError } from './throttle';

export type MonitorEvent =
  | { type: 'resource'; event: StackEvent; elapsedMs: number }
  | { type: 'progress'; progress: ProgressSnapshot }
  | { type: 'hint'; message: string }
  | { type: 'ecs'; message: string }
  | { type: 'throttled'; what: 'events' | 'status' | 'ecs'; retryInMs: number };

export type FollowOutcome =
  | { kind: 'ended'; status: string; events: StackEvent[] }
  | { kind: 'timed-out'; status?: string; events: StackEvent[] }
  | { kind: 'aborted'; status?: string; events: StackEvent[] }
  | { kind: 'ecs-failed'; status?: string; reasons: string[]; events: StackEvent[] };

export interface FollowOptions {
  cfn: CloudFormationApi;
  /** The stack id (ARN) when known, so a deleted stack can still be described. */
  stack: string;
  start: PollerStart;
  /** Resources the operation touches, for done/total. */
  total: number;
  clock: Clock;
  intervals: PollIntervals;
  /** Stop waiting (the operation itself goes on; the caller decides what to do about it). */
  signal?: AbortSignal;
  /** Epoch ms after which the wait ends as timed out. */
  deadline?: number;
  ecs?: EcsServiceWatcher;
  onEvent?: (event: MonitorEvent) => void;
}

async function describeStatus(cfn: CloudFormationApi, stack: string): Promise<string> {
  try {
    const output = await cfn.describeStacks({ StackName: stack });
    return output.Stacks?.[0]?.StackStatus ?? 'DELETE_COMPLETE';
  } catch (error) {
    // Described by name, a deleted stack no longer exists: that is the end of a delete.
    if (isNotFound(error)) return 'DELETE_COMPLETE';
    throw error;
  }
}

export async function followStack(options: FollowOptions): Promise<FollowOutcome> {
  const { cfn, clock, intervals: iv, signal, deadline, ecs } = options;
  const emit = options.onEvent ?? (() => {});
  const startedAt = clock.now();
  const poller = new StackEventPoller(cfn, options.stack, options.start);
  const progress = new ProgressCounter(options.total, startedAt);
  const events: StackEvent[] = [];
  let status: string | undefined;
  let eventFailures = 0;
  let statusFailures = 0;
  let nextStatusAt = startedAt + iv.statusMs;
  let nextEcsAt = startedAt + iv.ecsMs;

  const pollEvents = async (): Promise<StackEvent[]> => {
    const fresh = await poller.poll();
    for (const event of fresh) {
      events.push(event);
      const hint = progress.apply(event, clock.now());
      ecs?.observe(event);
      emit({ type: 'resource', event, elapsedMs: clock.now() - startedAt });
      if (hint) emit({ type: 'hint', message: hint });
    }
    return fresh;
  };

  for (;;) {
    if (signal?.aborted) return { kind: 'aborted', status, events };
    if (deadline !== undefined && clock.now() >= deadline) return { kind: 'timed-out', status, events };

    let stackEventEnded = false;
    try {
      const fresh = await pollEvents();
      eventFailures = 0;
      stackEventEnded = fresh.some((e) => e.isStack && !isOperationRunning(e.status));
    } catch (error) {
      if (!isRetryableError(error)) throw error;
      eventFailures++;
      emit({
        type: 'throttled',
        what: 'events',
        retryInMs: backoffMs(eventFailures, iv.eventsMs, iv.maxBackoffMs, 0.5),
      });
    }

    if (stackEventEnded || clock.now() >= nextStatusAt) {
      try {
        status = await describeStatus(cfn, options.stack);
        statusFailures = 0;
        nextStatusAt = clock.now() + iv.statusMs;
      } catch (error) {
        if (!isRetryableError(error)) throw error;
        statusFailures++;
        const wait = backoffMs(statusFailures, iv.statusMs, iv.maxBackoffMs, clock.random());
        nextStatusAt = clock.now() + wait;
        emit({ type: 'throttled', what: 'status', retryInMs: wait });
      }
      if (status !== undefined && !isOperationRunning(status)) {
        // The stack has reached its final state: one last read for the closing events, and a
        // throttled or failed read here must not turn a finished operation into an error.
        try {
          await pollEvents();
        } catch {
          // Ignored on purpose: the status above is the authority.
        }
        emit({ type: 'progress', progress: progress.snapshot(clock.now()) });
        return { kind: 'ended', status, events };
      }
    }

    if (ecs?.watching && clock.now() >= nextEcsAt) {
      nextEcsAt = clock.now() + iv.ecsMs;
      try {
        const result = await ecs.poll();
        for (const message of result.messages) emit({ type: 'ecs', message });
        if (result.failure) return { kind: 'ecs-failed', status, reasons: result.failure, events };
      } catch (error) {
        // The ECS view is a bonus; CloudFormation remains the authority when it cannot be read.
        if (!isRetryableError(error))
          emit({ type: 'ecs', message: `cannot read the ECS service: ${(error as Error).message}` });
      }
    }

    emit({ type: 'progress', progress: progress.snapshot(clock.now()) });
    const wait =
      eventFailures > 0
        ? backoffMs(eventFailures, iv.eventsMs, iv.maxBackoffMs, clock.random())
        : iv.eventsMs + Math.round(iv.jitterMs * clock.random());
    const untilDeadline = deadline === undefined ? wait : Math.max(0, deadline - clock.now());
    await clock.sleep(Math.min(wait, untilDeadline), signal);
  }
}
