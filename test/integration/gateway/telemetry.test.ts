// Telemetry against dynalite: aggregates per (bucket, entity) equal to the traffic sent and merged
// across flushes with ADD; every non-2xx request and a sample of the rest in the request log; one
// access log line per request; the EMF metrics line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoBlocklist } from '../../../runtime/blocklist/dynamo-blocklist';
import { silentLogger } from '../../../runtime/lib/logger';
import { countsFromItem } from '../../../core/shared/aggregate-record';
import { putBlock } from '../../../core/shared/blocklist-table';
import { BUCKET_MS, bucketPartitionKey, bucketStart } from '../../../core/shared/buckets';
import { fromRequestLogItem } from '../../../core/shared/request-log-record';
import type { TableNames } from '../../../core/shared/table-setup';
import { startDynalite, storeEnv, type DynaliteServer } from '../../helpers/dynalite';
import { startGateway, tokenFor, type TestGateway } from '../../helpers/gateway';
import { startUpstream, type Upstream } from '../../helpers/upstream';

function handler(req: IncomingMessage, res: ServerResponse) {
  const status = req.url?.includes('missing') ? 404 : req.url?.includes('boom') ? 500 : 200;
  req.resume().on('end', () => {
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('ok');
  });
}

// The gateway's clock runs at real speed a minute into the next bucket, so that every request here
// lands in one bucket whatever the time of the run (a real clock can cross a boundary mid-test).
// Ahead, never behind: tokens and blocks made with the real clock stay valid.
const realStart = Date.now();
const offsetMs = bucketStart(realStart) + BUCKET_MS + 60_000 - realStart;
const clock = { now: () => Date.now() + offsetMs };

describe('telemetry', () => {
  let store: DynaliteServer;
  let tables: TableNames;
  let upstream: Upstream;
  let gw: TestGateway;
  let draws = 0;

  const scan = async (table: string) =>
    (await store.documentClient().send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ??
    [];
  const aggregates = async () => {
    const bucket = bucketPartitionKey(clock.now());
    const items = (await scan(tables.trafficAggregates)).filter((i) => i.pk === bucket);
    return Object.fromEntries(
      items.map((i) => [i.sk as string, { ...countsFromItem(i), ttl: i.ttl as number }]),
    );
  };

  beforeAll(async () => {
    [store, upstream] = await Promise.all([startDynalite(), startUpstream(handler)]);
    tables = await store.createTables();
    gw = await startGateway(
      {
        SENTINEL_API_UPSTREAM_BASE_URL: upstream.url,
        ...storeEnv(store.endpoint, tables),
        SENTINEL_API_RATE_LIMIT_CAPACITY: '3',
        SENTINEL_API_RATE_LIMIT_REFILL_RATE: '0.001',
        SENTINEL_API_REQUEST_LOG_SAMPLE_RATE: '0.5',
        SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
        SENTINEL_API_AGGREGATE_TTL_DAYS: '8',
      },
      // Deterministic sampling: draws alternate 0.1 (kept at rate 0.5) and 0.9 (skipped).
      { logger: silentLogger, clock, random: () => (draws++ % 2 === 0 ? 0.1 : 0.9) },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([store?.stop(), upstream?.close()]);
  });

  it('aggregates per user and, without a user, per client IP, merging flushes with ADD', async () => {
    const alice = { authorization: `Bearer ${await tokenFor('alice')}` };
    const bob = { authorization: `Bearer ${await tokenFor('bob')}` };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${gw.url}/proxy/a`, { headers: alice })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await fetch(`${gw.url}/proxy/missing`, { headers: bob })).status).toBe(404);
    expect((await fetch(`${gw.url}/proxy/boom`, { headers: bob })).status).toBe(500);
    for (let i = 0; i < 2; i++) expect((await fetch(`${gw.url}/proxy/a`)).status).toBe(401);
    expect((await fetch(`${gw.url}/proxy/a%00`)).status).toBe(400);
    await fetch(`${gw.url}/health`); // not counted in aggregates

    await gw.gateway.telemetry.flush();
    let counts = await aggregates();
    expect(counts['USER#alice']).toMatchObject({
      requests: 5,
      errors4xx: 2,
      errors5xx: 0,
      rateLimited: 2,
      authFailures: 0,
      endpoints: ['/a'],
    });
    expect(counts['USER#bob']).toMatchObject({
      requests: 2,
      errors4xx: 1,
      errors5xx: 1,
      endpoints: expect.arrayContaining(['/missing', '/boom']),
    });
    expect(counts['IP#127.0.0.1']).toMatchObject({ requests: 3, errors4xx: 3, authFailures: 2 });
    expect(Object.keys(counts).sort()).toEqual(['IP#127.0.0.1', 'USER#alice', 'USER#bob']);
    const bucketStartSec = bucketStart(clock.now()) / 1000;
    expect(counts['USER#alice']!.ttl).toBe(bucketStartSec + 8 * 86400);

    for (let i = 0; i < 2; i++) await fetch(`${gw.url}/proxy/b`, { headers: alice });
    await gw.gateway.telemetry.flush();
    counts = await aggregates();
    expect(counts['USER#alice']).toMatchObject({ requests: 7, rateLimited: 4, endpoints: ['/a', '/b'] });
  });

  it('writes every non-2xx request and a sample of the 2xx ones to the request log', async () => {
    const logs = (await scan(tables.requestLogs)).map((item) => ({
      item,
      record: fromRequestLogItem(item)!,
    }));
    const statuses = logs.map((l) => l.record.statusCode).sort();
    // 3 successes of alice, sampled 1 in 2 (kept, skipped, kept); all 11 others were errors.
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s !== 200).sort()).toEqual(
      [400, 401, 401, 404, 429, 429, 429, 429, 500].sort(),
    );
    const limited = logs.find((l) => l.record.statusCode === 429)!;
    expect(limited.record).toMatchObject({
      entity: { kind: 'user', id: 'alice' },
      decision: 'limited',
      method: 'GET',
    });
    expect(limited.item.pk).toBe('USER#alice');
    expect(limited.item.ttl).toBeGreaterThan(clock.now() / 1000 + 6 * 86400);
    const anonymous = logs.find((l) => l.record.statusCode === 401)!;
    expect(anonymous.record).toMatchObject({
      entity: { kind: 'ip', id: '127.0.0.1' },
      decision: 'unauthenticated',
    });
  });

  it('writes an access log line per answer of 400 and up (the default) and a metrics line in Embedded Metric Format', async () => {
    const requests = gw.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.type === 'request');
    // Of the 13 requests: alice's four 429s, bob's 404 and 500, two 401s and the 400; not the 200s.
    expect(requests.map((l) => l.status).sort()).toEqual([400, 401, 401, 404, 429, 429, 429, 429, 500]);
    expect(requests.find((l) => l.status === 429)).toMatchObject({
      userId: 'alice',
      decision: 'limited',
      remaining: 0,
      path: '/proxy/a',
    });
    expect(requests.find((l) => l.status === 404)).toMatchObject({ userId: 'bob', decision: 'allowed' });
    expect(requests.find((l) => l.status === 401)).toMatchObject({
      ip: '127.0.0.1',
      decision: 'unauthenticated',
    });
    gw.gateway.telemetry.emitMetrics();
    const metrics = JSON.parse(gw.lines.at(-1)!) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string }> };
    };
    expect(metrics._aws.CloudWatchMetrics[0]!.Namespace).toBe('SentinelAPI');
    expect(metrics).toMatchObject({
      Requests: 13,
      Status4xx: 8,
      Status5xx: 1,
      Status401: 2,
      Status403: 0,
      Status429: 4,
      TelemetryDrops: 0,
    });
    expect(metrics.LatencyP99).toBeGreaterThan(0);
  });

  // Last: its requests would show in the request log and access log counts of the tests above.
  it('counts requests refused by a block apart (blockedCount), without their paths', async () => {
    const now = Math.floor(Date.now() / 1000);
    await putBlock(store.documentClient(), tables.blocklist, {
      entity: { kind: 'user', id: 'mallory' },
      action: 'block',
      reason: 'test',
      blockedAt: now,
      expiresAt: now + 3600,
      source: 'manual',
      strikes: 1,
    });
    await (gw.gateway.deps.blocklist as DynamoBlocklist).refresh();
    const mallory = { authorization: `Bearer ${await tokenFor('mallory')}` };
    for (const path of ['/admin', '/users/1', '/users/2'])
      expect((await fetch(`${gw.url}/proxy${path}`, { headers: mallory })).status).toBe(403);
    await gw.gateway.telemetry.flush();
    expect((await aggregates())['USER#mallory']).toMatchObject({
      requests: 3,
      errors4xx: 3,
      blocked: 3,
      endpoints: [],
    });
  });
});
