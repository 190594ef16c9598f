// The event poller pages only back to what it has seen; the monitor backs off on throttling, never
// fails a finished operation over a throttled poll, and stops on abort and on its deadline.
import { describe, expect, it } from 'vitest';
import type { CloudFormationApi } from '../../../src/deploy/aws-clients';
import { followStack } from '../../../src/deploy/activity-monitor';
import { DEFAULT_INTERVALS, virtualClock } from '../../../src/deploy/clock';
import { eventMarker, runningOperationStart, StackEventPoller } from '../../../src/deploy/event-poller';

type Raw = {
  EventId: string;
  LogicalResourceId: string;
  ResourceType: string;
  ResourceStatus: string;
  StackName: string;
  Timestamp: Date;
};

/** A minimal CloudFormation: events newest-first in pages of `size`, status scripted per call. */
function fakeCfn(options: {
  events: Raw[];
  size?: number;
  statuses?: string[];
  eventErrors?: (call: number) => Error | undefined;
}) {
  const calls = { events: 0, status: 0, tokens: [] as Array<string | undefined> };
  const size = options.size ?? 3;
  const api = {
    describeStackEvents: async (input: { NextToken?: string }) => {
      calls.events += 1;
      calls.tokens.push(input.NextToken);
      const error = options.eventErrors?.(calls.events);
      if (error) throw error;
      const all = [...options.events].reverse();
      const start = Number(input.NextToken ?? 0);
      return {
        StackEvents: all.slice(start, start + size),
        NextToken: start + size < all.length ? String(start + size) : undefined,
        $metadata: {},
      };
    },
    describeStacks: async () => {
      const statuses = options.statuses ?? ['UPDATE_IN_PROGRESS'];
      const status = statuses[Math.min(calls.status, statuses.length - 1)];
      calls.status += 1;
      return { Stacks: [{ StackName: 'S', StackStatus: status, CreationTime: new Date() }], $metadata: {} };
    },
  } as unknown as CloudFormationApi;
  return { api, calls };
}

let n = 0;
const raw = (logicalId: string, status: string, type = 'AWS::SNS::Topic'): Raw => ({
  EventId: `id-${++n}`,
  LogicalResourceId: logicalId,
  ResourceType: type,
  ResourceStatus: status,
  StackName: 'S',
  Timestamp: new Date(1_700_000_000_000 + n * 1000),
});
const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });

describe('StackEventPoller', () => {
  it('pages newest-first only back to the last event seen, and returns new events oldest-first', async () => {
    const events = Array.from({ length: 10 }, (_, i) => raw(`R${i}`, 'CREATE_COMPLETE'));
    const cfn = fakeCfn({ events, size: 3 });
    const poller = new StackEventPoller(cfn.api, 'S', { afterEventId: events[4]!.EventId });
    const fresh = await poller.poll();
    expect(fresh.map((e) => e.logicalId)).toEqual(['R5', 'R6', 'R7', 'R8', 'R9']);
    // 5 new events at 3 per page: two pages, the second stopping at the marker.
    expect(cfn.calls.tokens).toEqual([undefined, '3']);

    events.push(raw('R10', 'CREATE_COMPLETE'));
    expect((await poller.poll()).map((e) => e.logicalId)).toEqual(['R10']);
    expect(cfn.calls.tokens.slice(2)).toEqual([undefined]);
    expect(await poller.poll()).toEqual([]);
  });

  it('when attaching, reads back only to the operation’s start time', async () => {
    const events = [raw('Old', 'CREATE_COMPLETE'), raw('New', 'UPDATE_IN_PROGRESS')];
    const cfn = fakeCfn({ events });
    const poller = new StackEventPoller(cfn.api, 'S', { since: events[1]!.Timestamp });
    expect((await poller.poll()).map((e) => e.logicalId)).toEqual(['New']);
  });
});

describe('where an operation begins', () => {
  it('the running operation starts just after the event before its stack-level start', async () => {
    const events = [
      raw('S', 'UPDATE_COMPLETE', 'AWS::CloudFormation::Stack'),
      raw('S', 'DELETE_IN_PROGRESS', 'AWS::CloudFormation::Stack'),
      raw('Table', 'DELETE_IN_PROGRESS'),
    ];
    const cfn = fakeCfn({ events, size: 1 });
    expect(await runningOperationStart(cfn.api, 'S')).toEqual({ afterEventId: events[0]!.EventId });
  });

  it('is the whole history when the operation is the stack’s first', async () => {
    const events = [
      raw('S', 'CREATE_IN_PROGRESS', 'AWS::CloudFormation::Stack'),
      raw('Table', 'CREATE_IN_PROGRESS'),
    ];
    expect(await runningOperationStart(fakeCfn({ events }).api, 'S')).toEqual({});
  });

  it('the event marker falls back to the time when it cannot be read', async () => {
    const events = [raw('Old', 'UPDATE_FAILED')];
    const ok = fakeCfn({ events });
    expect(await eventMarker(ok.api, 'S', 5)).toEqual({ afterEventId: events[0]!.EventId });
    const failing = fakeCfn({ events, eventErrors: () => throttle() });
    expect(await eventMarker(failing.api, 'S', 5)).toEqual({ since: new Date(5) });
  });
});

describe('followStack', () => {
  const base = { stack: 'S', start: {}, total: 1, intervals: DEFAULT_INTERVALS };

  it('never fails because a poll was throttled after the stack reached its final state', async () => {
    const events = [raw('S', 'UPDATE_IN_PROGRESS', 'AWS::CloudFormation::Stack')];
    // Every events call after the first is throttled; the status call says the update is done.
    const cfn = fakeCfn({
      events,
      statuses: ['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'],
      eventErrors: (call) => (call > 1 ? throttle() : undefined),
    });
    const emitted: string[] = [];
    const outcome = await followStack({
      ...base,
      cfn: cfn.api,
      clock: virtualClock(),
      onEvent: (e) => emitted.push(e.type),
    });
    expect(outcome).toMatchObject({ kind: 'ended', status: 'UPDATE_COMPLETE' });
    expect(emitted).toContain('throttled');
  });

  it('keeps following while a created stack is still REVIEW_IN_PROGRESS', async () => {
    const cfn = fakeCfn({
      events: [],
      statuses: ['REVIEW_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE'],
    });
    const outcome = await followStack({ ...base, cfn: cfn.api, clock: virtualClock() });
    expect(outcome).toMatchObject({ kind: 'ended', status: 'CREATE_COMPLETE' });
    expect(cfn.calls.status).toBe(3);
  });

  it('polls events every 2-3 s and the status about every 5 s', async () => {
    const cfn = fakeCfn({ events: [], statuses: ['UPDATE_IN_PROGRESS'] });
    const clock = virtualClock();
    const outcome = await followStack({ ...base, cfn: cfn.api, clock, deadline: clock.now() + 60_000 });
    expect(outcome.kind).toBe('timed-out');
    // 60 s at 2.5 s (2 s + half the 1 s jitter) is 24 event polls; status every 5 s is 12.
    expect(cfn.calls.events).toBeGreaterThanOrEqual(22);
    expect(cfn.calls.events).toBeLessThanOrEqual(26);
    expect(cfn.calls.status).toBeGreaterThanOrEqual(9);
    expect(cfn.calls.status).toBeLessThanOrEqual(13);
  });

  it('stops waiting when aborted', async () => {
    const cfn = fakeCfn({ events: [], statuses: ['UPDATE_IN_PROGRESS'] });
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    const outcome = await followStack({
      ...base,
      cfn: cfn.api,
      clock: virtualClock(),
      signal: controller.signal,
    });
    expect(outcome.kind).toBe('aborted');
  });

  it('rethrows errors that are not worth retrying', async () => {
    const denied = Object.assign(new Error('not authorized to perform cloudformation:DescribeStackEvents'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const cfn = fakeCfn({ events: [], eventErrors: () => denied });
    await expect(followStack({ ...base, cfn: cfn.api, clock: virtualClock() })).rejects.toBe(denied);
  });
});
