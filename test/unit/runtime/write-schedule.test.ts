// When aggregates are written (once per bucket, earlier for bursts), the access log line written field
// by field, the line writer's batching, and one verification shared by concurrent requests.
import { eventually } from '../../helpers/gateway';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../runtime/auth/token-verifier';
import { manualClock } from '../../../runtime/lib/clock';
import { createLineWriter } from '../../../runtime/lib/line-writer';
import { silentLogger } from '../../../runtime/lib/logger';
import type { RequestState } from '../../../runtime/request-state';
import { accessLogLine, isoTime, type AccessLogMode } from '../../../runtime/telemetry/access-log';
import { TrafficAggregator, type AggregateEvent } from '../../../runtime/telemetry/aggregator';
import { Telemetry } from '../../../runtime/telemetry/telemetry';
import { HOT_WINDOW_REQUESTS, isDue } from '../../../runtime/telemetry/write-schedule';
import { BUCKET_MS } from '../../../core/shared/buckets';
import { signHs256, TEST_SECRET } from '../../helpers/gateway';

const BUCKET = Date.UTC(2030, 0, 1, 10, 0);
const event = (userId: string, time = BUCKET + 60_000): AggregateEvent => ({
  time,
  userId,
  clientIp: '192.0.2.1',
  status: 200,
  decision: 'allowed',
  latencyMs: 1,
  endpoint: '/a',
});
/** A finished request as the gateway hands it to telemetry. */
const state = (over: Partial<RequestState> = {}): RequestState => ({
  requestId: 'req-1',
  time: BUCKET,
  startedAt: 0,
  method: 'GET',
  path: '/proxy/a"b\\c',
  endpoint: '/a"b\\c',
  clientIp: '192.0.2.1',
  userAgent: 'x',
  userId: 'al"ice',
  identity: undefined,
  decision: 'allowed',
  status: 200,
  remaining: 4,
  upstreamMs: 1.23456,
  latencyMs: 3.14159,
  bytesIn: 0,
  bytesOut: 12,
  deferred: false,
  tracked: true,
  targetPath: '/a',
  ipThrottle: undefined,
  userThrottle: undefined,
  responseHeaders: {},
  ...over,
});
const add = (agg: TrafficAggregator, userId: string, n: number, time?: number) => {
  for (let i = 0; i < n; i++) agg.add(event(userId, time));
};
const requestsOf = (entries: ReturnType<TrafficAggregator['takeDue']>, id: string) =>
  entries.filter((e) => e.entity.id === id).reduce((n, e) => n + e.counts.requests, 0);

describe('aggregate write schedule', () => {
  it('writes an entity once its bucket is over, not while it is open', () => {
    expect(isDue({ bucketMs: BUCKET, pending: 5, window: 5, written: 0, hot: false }, BUCKET)).toBe(false);
    expect(
      isDue({ bucketMs: BUCKET, pending: 5, window: 0, written: 0, hot: false }, BUCKET + BUCKET_MS),
    ).toBe(true);
    expect(
      isDue({ bucketMs: BUCKET, pending: 0, window: 0, written: 9, hot: true }, BUCKET + BUCKET_MS),
    ).toBe(false);
  });

  it('writes a burst within a flush, then a steady heavy user a few times per bucket, and when it falls quiet', () => {
    const agg = new TrafficAggregator();
    const now = BUCKET + 60_000;
    add(agg, 'quiet', 3);
    add(agg, 'burst', HOT_WINDOW_REQUESTS);
    expect(requestsOf(agg.takeDue(now), 'burst')).toBe(HOT_WINDOW_REQUESTS);
    expect(requestsOf(agg.takeDue(now), 'quiet')).toBe(0);

    // Busy again: written when the unwritten count reaches three times the written one.
    const writes: number[] = [];
    for (let flush = 0; flush < 20; flush++) {
      add(agg, 'burst', 20);
      const taken = requestsOf(agg.takeDue(now), 'burst');
      if (taken > 0) writes.push(taken);
    }
    expect(writes).toEqual([60, 240]);
    // Quiet for a flush: what is left goes out.
    expect(requestsOf(agg.takeDue(now), 'burst')).toBe(100);
    expect(requestsOf(agg.takeDue(now), 'burst')).toBe(0);

    // The bucket ends: everything unwritten goes, finished slots are forgotten.
    const end = agg.takeDue(BUCKET + BUCKET_MS);
    expect(requestsOf(end, 'quiet')).toBe(3);
    expect(agg.size).toBe(0);
  });

  it('still writes everything on drain()', () => {
    const agg = new TrafficAggregator();
    add(agg, 'a', 2);
    add(agg, 'b', HOT_WINDOW_REQUESTS);
    agg.takeDue(BUCKET + 60_000);
    add(agg, 'b', 1);
    const all = agg.drain();
    expect(requestsOf(all, 'a')).toBe(2);
    expect(requestsOf(all, 'b')).toBe(1);
    expect(agg.size).toBe(0);
  });
});

describe('aggregate write concurrency', () => {
  // The first flush after a bucket ends writes every entity of it, and the detector reads the bucket
  // a minute after (templates/detector-schedule.ts): a big bucket is written with more writers.
  const finishedBucketFlush = async (users: number) => {
    const clock = manualClock(BUCKET + 60_000);
    let sent = 0;
    let running = 0;
    let most = 0;
    const send = async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      sent++;
      return {};
    };
    const telemetry = new Telemetry({
      lines: { write: () => undefined, dropped: () => 0, flush() {} },
      logger: silentLogger,
      clock,
      dynamo: { client: { send } as never, aggregateTable: 'aggs', requestLogTable: 'logs' },
      flushMs: 5,
      aggregateTtlDays: 8,
      requestLogTtlDays: 7,
      requestLogSampleRate: 0,
      accessLog: 'off',
    });
    for (let i = 0; i < users; i++) {
      telemetry.record(state({ userId: `u${i}`, requestId: `r${i}`, time: BUCKET + 60_000 }));
    }
    clock.set(BUCKET + BUCKET_MS + 1_000);
    telemetry.start();
    // The timer's flushes write them all.
    await eventually(() => sent >= users, 15_000, 10);
    await telemetry.stop();
    return { sent, most };
  };

  it('keeps two writes in flight for a routine flush, one more per thousand entries due, up to 16', async () => {
    expect(await finishedBucketFlush(300)).toEqual({ sent: 300, most: 2 });
    expect(await finishedBucketFlush(4_500)).toEqual({ sent: 4_500, most: 5 });
    expect(await finishedBucketFlush(20_000)).toEqual({ sent: 20_000, most: 16 });
  });
});

describe('access log line', () => {
  const reference = (s: RequestState) =>
    JSON.stringify({
      time: new Date(s.time).toISOString(),
      type: 'request',
      requestId: s.requestId,
      userId: s.userId,
      ip: s.clientIp,
      method: s.method,
      path: s.path,
      status: s.status,
      latencyMs: Math.round(s.latencyMs * 100) / 100,
      upstreamMs: s.upstreamMs === undefined ? undefined : Math.round(s.upstreamMs * 100) / 100,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      decision: s.decision,
      remaining: s.remaining,
    });

  it('is the JSON of the documented fields, in order, absent ones left out', () => {
    for (const s of [
      state(),
      state({ userId: undefined, remaining: undefined, upstreamMs: undefined, time: BUCKET + 1 }),
      state({ latencyMs: Number.NaN, status: 499 }),
    ]) {
      expect(accessLogLine(s)).toBe(reference(s));
      expect(JSON.parse(accessLogLine(s))).toEqual(JSON.parse(reference(s)));
    }
  });

  it('is written for every request, for answers of 400 and up and refusals, or never, as configured', () => {
    const requests = [
      state({ status: 200 }),
      state({ status: 304 }),
      state({ status: 404 }),
      state({ status: 429, decision: 'limited' }),
      state({ status: 503, decision: 'unavailable' }),
      // Refused by the gateway whatever the status says (the client left: 499 is counted too).
      state({ status: 200, decision: 'upstream_error' }),
    ];
    const logged = (accessLog: AccessLogMode) => {
      const lines: string[] = [];
      const telemetry = new Telemetry({
        lines: { write: (line) => lines.push(line), dropped: () => 0, flush() {} },
        logger: silentLogger,
        clock: manualClock(BUCKET),
        flushMs: 10_000,
        aggregateTtlDays: 8,
        requestLogTtlDays: 7,
        requestLogSampleRate: 0,
        accessLog,
      });
      for (const s of requests) telemetry.record({ ...s });
      return lines.map((l) => (JSON.parse(l) as { status: number; decision: string }).status);
    };
    expect(logged('all')).toEqual([200, 304, 404, 429, 503, 200]);
    expect(logged('errors')).toEqual([404, 429, 503, 200]);
    expect(logged('off')).toEqual([]);
  });
});

describe('access log time', () => {
  it('is toISOString, across milliseconds, seconds and years, in any order', () => {
    const base = Date.UTC(2026, 10, 30, 23, 59, 59);
    const times = [
      base,
      base + 9,
      base + 10,
      base + 99,
      base + 100,
      base + 999,
      base + 1000, // the next day
      base + 5,
      base + 0.75, // a fractional millisecond is cut, as Date cuts it
      0,
      -1,
      -1001,
      Date.UTC(10000, 0, 1, 0, 0, 0, 7), // a six-digit year, longer than the usual form
      Date.UTC(2024, 1, 29, 12, 0, 0, 42),
    ];
    // A seeded walk over ten years of milliseconds, forwards and back.
    let t = base;
    let seed = 42;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      t += (seed % 2 === 0 ? 1 : -1) * (seed % (i % 3 === 0 ? 1000 : 3 * 10 ** 11));
      times.push(t);
    }
    for (const time of times) expect(isoTime(time)).toBe(new Date(time).toISOString());
  });
});

describe('line writer', () => {
  const stream = () => {
    const writes: string[] = [];
    return { writes, write: (chunk: string) => (writes.push(chunk), true), once: () => undefined };
  };

  it('writes lines together after a short wait, at once when the batch is large, and on flush()', async () => {
    const out = stream();
    const writer = createLineWriter(out, { flushIntervalMs: 5, batchChars: 30 });
    writer.write('a');
    writer.write('b');
    expect(out.writes).toEqual([]);
    await eventually(() => out.writes.length > 0, 1_000, 2);
    expect(out.writes).toEqual(['a\nb\n']);
    writer.write('x'.repeat(40));
    expect(out.writes).toHaveLength(2);
    writer.write('c');
    writer.flush();
    expect(out.writes.at(-1)).toBe('c\n');
  });
});

describe('token verifier', () => {
  it('verifies a new token once for concurrent requests and answers repeats from its cache', async () => {
    const clock = manualClock(Date.now());
    const verifier = await createTokenVerifier({ secret: TEST_SECRET, clock, logger: silentLogger });
    const token = await signHs256({ sub: 'alice' }, { expiresIn: '1h' });
    expect(verifier.cached!(token)).toBeUndefined();
    const [a, b] = [verifier.verify(token), verifier.verify(token)];
    expect(a).toBe(b);
    expect(await a).toMatchObject({ ok: true, cached: false, identity: { userId: 'alice' } });
    expect(verifier.cached!(token)).toMatchObject({ ok: true, cached: true, identity: { userId: 'alice' } });
  });
});
