// Telemetry loss is counted when the data is given up: at shutdown, everything unwritten (open
// aggregates, buffered and in-flight request logs) shows in the last metrics line's TelemetryDrops.
// Repeated failures log one line per kind a minute, with counts.
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../runtime/lib/clock';
import { memoryLineSink } from '../../../runtime/lib/line-writer';
import { createJsonLogger, silentLogger } from '../../../runtime/lib/logger';
import { rateLimitedLogger } from '../../../runtime/lib/rate-limited-logger';
import type { RequestState } from '../../../runtime/request-state';
import { Telemetry } from '../../../runtime/telemetry/telemetry';

const T = Date.UTC(2030, 0, 1, 10, 7);

function state(i: number, status: number): RequestState {
  return {
    requestId: `r${i}`,
    time: T,
    startedAt: performance.now(),
    method: 'GET',
    path: '/proxy/a',
    endpoint: '/a',
    clientIp: '192.0.2.1',
    userAgent: undefined,
    userId: `user-${i}`,
    identity: undefined,
    decision: 'upstream_error',
    status,
    remaining: undefined,
    upstreamMs: undefined,
    latencyMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    deferred: false,
    tracked: true,
    targetPath: '/a',
    ipThrottle: undefined,
    userThrottle: undefined,
    responseHeaders: {},
  };
}

describe('telemetry loss', () => {
  it('counts every unwritten request at shutdown when the store never answers', async () => {
    const lines = memoryLineSink();
    const telemetry = new Telemetry({
      lines,
      logger: silentLogger,
      clock: manualClock(T),
      // A store that never answers: the final flush times out with everything in flight.
      dynamo: { client: { send: () => new Promise(() => {}) }, aggregateTable: 'a', requestLogTable: 'l' },
      flushMs: 10_000,
      metricsMs: 3_600_000,
      aggregateTtlDays: 8,
      requestLogTtlDays: 7,
      requestLogSampleRate: 1,
      accessLog: 'off',
    });
    for (let i = 0; i < 5; i++) telemetry.record(state(i, 502));
    await telemetry.stop(200);
    const metrics = lines.lines.map((l) => JSON.parse(l) as { TelemetryDrops?: number }).at(-1)!;
    // Five requests in aggregates, five request log items.
    expect(metrics.TelemetryDrops).toBe(10);
  });

  it('writes one line per kind of failure a minute, with the count it stands for', () => {
    const sink = memoryLineSink();
    const clock = manualClock(T);
    const logger = rateLimitedLogger(
      createJsonLogger(sink, 'info', () => clock.now()),
      clock,
    );
    for (let i = 0; i < 100; i++) logger.warn('batch write failed', { i });
    logger.warn('another kind');
    clock.advance(60_000);
    logger.warn('batch write failed', { i: 100 });
    const parsed = sink.lines.map((l) => JSON.parse(l) as { msg: string; repeated?: number });
    expect(parsed.map((p) => [p.msg, p.repeated])).toEqual([
      ['batch write failed', undefined],
      ['another kind', undefined],
      ['batch write failed', 99],
    ]);
  });
});
