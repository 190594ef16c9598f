// Telemetry's pure parts: aggregation, the UpdateItem it becomes, sampling and BatchWriteItem retries
// (with a scripted client: DynamoDB's UnprocessedItems cannot be provoked on a local store), metrics.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../runtime/lib/logger';
import { updateFor, writeAggregates } from '../../../runtime/telemetry/aggregate-writer';
import { TrafficAggregator, type AggregateEvent } from '../../../runtime/telemetry/aggregator';
import { LatencyHistogram } from '../../../runtime/telemetry/latency-histogram';
import { MinuteMetrics } from '../../../runtime/telemetry/metrics';
import { RequestLogBuffer, shouldSample } from '../../../runtime/telemetry/request-log-buffer';
import { MAX_ENDPOINTS_PER_BUCKET } from '../../../core/shared/aggregate-record';
import type { RequestLogRecord } from '../../../core/shared/request-log-record';

const T = Date.UTC(2030, 0, 1, 10, 7);
const event = (over: Partial<AggregateEvent> = {}): AggregateEvent => ({
  time: T,
  userId: 'alice',
  clientIp: '192.0.2.1',
  status: 200,
  decision: 'allowed',
  latencyMs: 10.4,
  endpoint: '/a',
  ...over,
});

describe('TrafficAggregator', () => {
  it('counts per bucket and entity, with the IP standing in for a missing user', () => {
    const agg = new TrafficAggregator();
    agg.add(event());
    agg.add(event({ status: 429, decision: 'limited', endpoint: '/b' }));
    agg.add(event({ userId: undefined, status: 401, decision: 'unauthenticated' }));
    agg.add(event({ status: 502, time: T + 15 * 60_000 }));
    const entries = agg.drain();
    expect(entries).toHaveLength(3);
    const alice = entries.find((e) => e.entity.id === 'alice' && e.bucketMs === Date.UTC(2030, 0, 1, 10, 0))!;
    expect(alice.counts).toMatchObject({ requests: 2, errors4xx: 1, rateLimited: 1, latencyMsSum: 20 });
    expect([...alice.endpoints]).toEqual(['/a', '/b']);
    expect(entries.find((e) => e.entity.kind === 'ip')!.counts).toMatchObject({
      requests: 1,
      authFailures: 1,
    });
    expect(agg.size).toBe(0);
  });

  it('counts requests refused by a block apart, without their paths', () => {
    const agg = new TrafficAggregator();
    agg.add(event());
    agg.add(event({ status: 403, decision: 'blocked', endpoint: '/admin' }));
    agg.add(event({ status: 403, decision: 'blocked', endpoint: '/users/1' }));
    const [alice] = agg.drain();
    expect(alice!.counts).toMatchObject({ requests: 3, errors4xx: 2, blocked: 2, authFailures: 0 });
    expect([...alice!.endpoints]).toEqual(['/a']);
    const update = updateFor(alice!, 'aggregates', 1, T).input;
    expect(update.ExpressionAttributeNames).toMatchObject({ '#blocked': 'blockedCount' });
    expect(update.ExpressionAttributeValues).toMatchObject({ ':blocked': 2 });
  });

  it('bounds endpoints per entry and entries overall, counting what it drops', () => {
    const agg = new TrafficAggregator(2);
    for (let i = 0; i < MAX_ENDPOINTS_PER_BUCKET + 10; i++) agg.add(event({ endpoint: `/p${i}` }));
    agg.add(event({ userId: 'bob' }));
    agg.add(event({ userId: 'carol' }));
    expect(agg.dropped).toBe(1);
    expect(agg.drain()[0]!.endpoints.size).toBe(MAX_ENDPOINTS_PER_BUCKET);
  });

  it('merges failed entries back into new traffic', () => {
    const agg = new TrafficAggregator();
    agg.add(event());
    const failed = agg.drain();
    failed[0]!.failedFlushes = 1;
    agg.add(event({ endpoint: '/c' }));
    agg.restore(failed);
    const [entry] = agg.drain();
    expect(entry!.counts.requests).toBe(2);
    expect(entry!.failedFlushes).toBe(1);
    expect([...entry!.endpoints].sort()).toEqual(['/a', '/c']);
  });

  it('becomes one UpdateItem ADD with the original key format and a bucket-based ttl', () => {
    const agg = new TrafficAggregator();
    agg.add(event({ status: 404 }));
    const command = updateFor(agg.drain()[0]!, 'aggs', 8, T) as UpdateCommand;
    const input = command.input;
    expect(input.Key).toEqual({ pk: 'BUCKET#203001011000', sk: 'USER#alice' });
    expect(input.UpdateExpression).toBe(
      'ADD #requests :requests, #errors4xx :errors4xx, #latencyMsSum :latencyMsSum, #endpoints :endpoints SET #updated = :updated, #ttl = :ttl',
    );
    expect(input.ExpressionAttributeNames).toMatchObject({
      '#requests': 'requestCount',
      '#errors4xx': 'error4xxCount',
    });
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':requests': 1,
      ':ttl': Date.UTC(2030, 0, 1, 10, 0) / 1000 + 8 * 86400,
    });
  });

  it('writes a few at a time, each from a fresh event-loop turn, so requests get in between', async () => {
    const agg = new TrafficAggregator();
    for (let i = 0; i < 10; i++) agg.add(event({ userId: `u${i}` }));
    let sent = 0;
    let running = 0;
    let most = 0;
    const send = async () => {
      sent++;
      most = Math.max(most, ++running);
      await nextTurn();
      running--;
      return {};
    };
    const options = { client: { send } as never, tableName: 'aggs', ttlDays: 8, logger: silentLogger };
    const writing = writeAggregates(agg.drain(), { ...options, concurrency: 2 }, T);
    // Nothing is sent in the turn that started the flush.
    expect(sent).toBe(0);
    expect(await writing).toMatchObject({ written: 10, retry: [], droppedRequests: 0 });
    expect(most).toBe(2);
  });
});

const record = (statusCode: number, i = 0): RequestLogRecord => ({
  entity: { kind: 'user', id: 'alice' },
  time: T + i,
  requestId: `r${i}`,
  method: 'GET',
  endpoint: '/a',
  statusCode,
  latencyMs: 3,
  ipAddress: '192.0.2.1',
  decision: 'allowed',
  bytesIn: 0,
  bytesOut: 2,
});

type Send = (command: BatchWriteCommand) => Promise<unknown>;
function scripted(
  ...replies: Array<(items: Array<{ PutRequest: { Item: Record<string, unknown> } }>) => unknown>
) {
  const calls: number[] = [];
  const send: Send = async (command) => {
    const items = Object.values(command.input.RequestItems!)[0] as Array<{
      PutRequest: { Item: Record<string, unknown> };
    }>;
    calls.push(items.length);
    const reply = replies.shift() ?? (() => ({}));
    const out = reply(items);
    if (out instanceof Error) throw out;
    return out;
  };
  return { client: { send } as never, calls };
}

describe('RequestLogBuffer', () => {
  it('keeps every non-2xx and samples 2xx at the rate', () => {
    expect(shouldSample(404, 0, () => 0)).toBe(true);
    expect(shouldSample(301, 0, () => 0)).toBe(true);
    expect(shouldSample(200, 0.1, () => 0.05)).toBe(true);
    expect(shouldSample(200, 0.1, () => 0.5)).toBe(false);
    expect(shouldSample(200, 0, () => 0)).toBe(false);
  });

  it('writes in batches of 25 and retries unprocessed items with backoff', async () => {
    const delays: number[] = [];
    const { client, calls } = scripted(
      (items) => ({ UnprocessedItems: { logs: items.slice(0, 3) } }),
      () => ({}),
      () => ({}),
    );
    const buffer = new RequestLogBuffer({
      client,
      tableName: 'logs',
      ttlDays: 7,
      sampleRate: 1,
      logger: silentLogger,
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
    });
    for (let i = 0; i < 30; i++) buffer.offer(500, () => record(500, i));
    await buffer.flush();
    expect(calls).toEqual([25, 3, 5]);
    expect(delays).toEqual([50]);
    expect(buffer.written).toBe(30);
    expect(buffer.buffered).toBe(0);
  });

  it('keeps failed items for later flushes, then drops and counts them; never grows past its bound', async () => {
    const { client } = scripted(...Array.from({ length: 20 }, () => () => new Error('throttled')));
    const buffer = new RequestLogBuffer({
      client,
      tableName: 'logs',
      ttlDays: 7,
      sampleRate: 1,
      logger: silentLogger,
      maxBuffered: 3,
      maxAttempts: 2,
      sleep: async () => {},
    });
    for (let i = 0; i < 5; i++) buffer.offer(500, () => record(500, i));
    expect(buffer.dropped).toBe(2);
    await buffer.flush();
    expect(buffer.buffered).toBe(3);
    await buffer.flush();
    await buffer.flush();
    expect(buffer.buffered).toBe(0);
    expect(buffer.dropped).toBe(5);
  });
});

describe('metrics', () => {
  it('estimates percentiles within a few percent', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10);
    expect(h.percentile(0.5)).toBeGreaterThan(48);
    expect(h.percentile(0.5)).toBeLessThan(52.5);
    expect(h.percentile(0.99)).toBeGreaterThan(97);
    expect(h.percentile(0.99)).toBeLessThan(104);
  });

  it('emits an EMF line per interval and resets', () => {
    const m = new MinuteMetrics();
    for (const s of [200, 401, 403, 429, 503]) m.record(s, 5);
    const line = JSON.parse(m.emit(T, 2)) as Record<string, unknown> & { _aws: { Timestamp: number } };
    expect(line).toMatchObject({
      Requests: 5,
      Status4xx: 3,
      Status5xx: 1,
      Status401: 1,
      Status403: 1,
      Status429: 1,
      TelemetryDrops: 2,
    });
    expect(line._aws.Timestamp).toBe(T);
    expect(JSON.parse(m.emit(T, 0))).toMatchObject({ Requests: 0, LatencyP50: 0 });
  });
});
