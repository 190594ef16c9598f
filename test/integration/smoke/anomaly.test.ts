// The anomaly smoke test's steps against a real dev stack (gateway, store, detector), with the
// gateway's clock and the smoke's sharing one offset so that a burst can be made to cross a
// 15-minute bucket boundary on purpose, as a run at 09:44:59 does by chance. The auth storm comes
// from this process, so the IP it blocks is the loopback address the tests' own requests use.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevStack } from '../../../src/dev/dev-stack';
import { createDocumentClient } from '../../../core/shared/dynamodb';
import { aggregateKey, countsFromItem } from '../../../core/shared/aggregate-record';
import { BUCKET_MS, bucketStart } from '../../../core/shared/buckets';
import { ipEntity, parseEntity, userEntity, type Entity } from '../../../core/shared/entity';
import { blockItemKey, detectorStateKey, fromBlockItem } from '../../../core/shared/block-record';
import { deleteBlock, putBlock } from '../../../core/shared/blocklist-table';
import { anomalyChecks, type AnomalySmokeOptions } from '../../../src/smoke/anomaly';
import { authFailuresByIp, bucketsBetween } from '../../../src/smoke/traces';
import { startTestDevStack, type TestDevStack } from '../../helpers/dev-stack';
import { eventually } from '../../helpers/gateway';

const SECRET = 'smoke-anomaly-test-secret-with-more-than-32-bytes';
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
let dev: TestDevStack;
let stack: DevStack;

beforeAll(async () => {
  dev = await startTestDevStack(SECRET, { clock: { now } });
  stack = dev.stack;
}, 30_000);

afterAll(async () => {
  await dev?.stop();
});

/** The smoke's options for this stack, with the real detector. */
function smokeOptions(
  client: AnomalySmokeOptions['client'],
  overrides: Partial<AnomalySmokeOptions>,
): AnomalySmokeOptions {
  return {
    gatewayUrl: stack.gatewayUrl,
    client,
    tables: stack.tables,
    mint: (subject) => stack.mint!(subject),
    runDetector: (atMs) => stack.runDetector(atMs),
    baselineHourly: 10,
    burstRequests: 120,
    authStorm: { requests: 200 },
    threshold: stack.config.values.anomalyThreshold,
    minRequests: stack.config.values.anomalyMinRequests,
    flushSeconds: stack.config.values.telemetryFlushSeconds,
    refreshSeconds: stack.config.values.blocklistRefreshSeconds,
    aggregateTtlDays: stack.config.values.aggregateTtlDays,
    now,
    ...overrides,
  };
}

/** How long the gateway may take to pick up a blocklist change. */
const refreshBudgetMs = () => (stack.config.values.blocklistRefreshSeconds * 2 + 5) * 1000;

/** A request from this process with a valid token: 200 unless this address is blocked. */
async function bystanderStatus(): Promise<number> {
  const token = await stack.mint!('anomaly-test-bystander');
  const res = await fetch(`${stack.gatewayUrl}/proxy/`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

describe('sentinel smoke anomaly', () => {
  it('follows a burst across a bucket boundary: counts both buckets, judges the later, cleans both', async () => {
    // 20 s before a boundary; the 60th request of the burst moves both clocks 20 s on.
    const realNow = Date.now();
    offsetMs = bucketStart(realNow) + BUCKET_MS - 20_000 - realNow;
    const boundary = bucketStart(now()) + BUCKET_MS;
    let sent = 0;
    const crossingFetch: typeof fetch = (input, init) => {
      if (++sent === 60) offsetMs += 20_000;
      return fetch(input, init);
    };
    const client = createDocumentClient({ endpoint: stack.storeEndpoint });
    const detectorRuns: number[] = [];
    const { checks, report, cleanup } = anomalyChecks({
      gatewayUrl: stack.gatewayUrl,
      client,
      tables: stack.tables,
      mint: (subject) => stack.mint!(subject),
      runDetector: (atMs) => {
        detectorRuns.push(atMs);
        return stack.runDetector(atMs);
      },
      baselineHourly: 10,
      burstRequests: 120,
      threshold: stack.config.values.anomalyThreshold,
      minRequests: stack.config.values.anomalyMinRequests,
      flushSeconds: stack.config.values.telemetryFlushSeconds,
      refreshSeconds: stack.config.values.blocklistRefreshSeconds,
      aggregateTtlDays: stack.config.values.aggregateTtlDays,
      authStorm: false,
      now,
      fetch: crossingFetch,
    });
    try {
      for (const check of checks) {
        const result = await check.run();
        expect({ check: check.name, ...result }).toMatchObject({ ok: true });
      }
      const entity = userEntity(report.user);
      const inBucket = async (bucketMs: number) => {
        const { Item } = await client.send(
          new GetCommand({
            TableName: stack.tables.trafficAggregates,
            Key: aggregateKey(bucketMs, entity),
            ConsistentRead: true,
          }),
        );
        return Item ? countsFromItem(Item).requests : 0;
      };
      // The burst really was split, and the smoke saw all of it.
      const before = await inBucket(boundary - BUCKET_MS);
      const after = await inBucket(boundary);
      expect(before).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(0);
      expect(report.currentHourCount).toBe(before + after);
      expect(report.currentHourCount).toBeGreaterThanOrEqual(report.burstSent);
      // Judged as of the end of the later bucket, so both are in the detector's hour.
      expect(detectorRuns).toEqual([boundary + BUCKET_MS]);
      expect(report.signal).toBeDefined();
      // authStorm: false skips the storm path: no storm checks, no storm in the report.
      expect(checks).toHaveLength(5);
      expect(report.storm).toBeUndefined();

      const latestBaseline = boundary - 5 * BUCKET_MS; // the hour before is the detector's "current"
      expect(await inBucket(latestBaseline)).toBeGreaterThan(0);

      // Cleanup removes both burst buckets' items and the baseline. (Not asserted for the later
      // bucket: the 403 probes are counted in it and the gateway may write them after cleanup.)
      expect(await cleanup()).toEqual([]);
      expect(report.cleanedUp).toBe(true);
      expect(await inBucket(boundary - BUCKET_MS)).toBe(0);
      expect(await inBucket(latestBaseline)).toBe(0);
    } finally {
      client.destroy();
    }
  }, 60_000);

  it('proves a throttle too: 429 throttled once the gateway has it, then cleans it up', async () => {
    offsetMs = 0;
    const client = createDocumentClient({ endpoint: stack.storeEndpoint });
    // The detector's volume response, as its throttle policy writes it.
    const runDetector = async (atMs: number) => {
      const at = Math.floor(atMs / 1000);
      await putBlock(client, stack.tables.blocklist, {
        entity: userEntity(report.user),
        action: 'throttle',
        limit: { capacity: 2, refillPerSecond: 1 / 60 },
        reason: 'volume 12x the usual hour',
        blockedAt: at,
        expiresAt: at + 3600,
        source: 'detector',
        strikes: 1,
      });
      return {
        anomalyCount: 1,
        blockedCount: 0,
        entities: [
          { entity: `user:${report.user}`, signal: 'spike', action: 'throttle', reason: 'volume', ratio: 12 },
        ],
      };
    };
    const { checks, report, cleanup } = anomalyChecks({
      gatewayUrl: stack.gatewayUrl,
      client,
      tables: stack.tables,
      mint: (subject) => stack.mint!(subject),
      runDetector,
      baselineHourly: 10,
      burstRequests: 60,
      threshold: stack.config.values.anomalyThreshold,
      minRequests: stack.config.values.anomalyMinRequests,
      flushSeconds: stack.config.values.telemetryFlushSeconds,
      refreshSeconds: stack.config.values.blocklistRefreshSeconds,
      aggregateTtlDays: stack.config.values.aggregateTtlDays,
      authStorm: false,
      now,
    });
    try {
      for (const check of checks) {
        const result = await check.run();
        expect({ check: check.name, ...result }).toMatchObject({ check: check.name, ok: true });
      }
      expect(report.action).toBe('throttle');
      expect(checks.at(-1)!.name).toBe('gateway enforces it');
      await cleanup();
      const { Item } = await client.send(
        new GetCommand({
          TableName: stack.tables.blocklist,
          Key: blockItemKey(userEntity(report.user)),
          ConsistentRead: true,
        }),
      );
      expect(Item).toBeUndefined();
    } finally {
      client.destroy();
    }
  }, 60_000);

  it('proves both paths: the burst, then an auth storm whose IP is blocked (403), and lifts the block', async () => {
    offsetMs = 0;
    const client = createDocumentClient({ endpoint: stack.storeEndpoint });
    const get = async (Key: Record<string, unknown>) =>
      (await client.send(new GetCommand({ TableName: stack.tables.blocklist, Key, ConsistentRead: true })))
        .Item;
    const startedAt = now();
    const { checks, report, cleanup } = anomalyChecks(smokeOptions(client, {}));
    try {
      for (const check of checks) {
        const result = await check.run();
        expect({ check: check.name, ...result }).toMatchObject({ check: check.name, ok: true });
      }
      expect(report.action).toBeDefined(); // the volume path, as before
      const storm = report.storm!;
      expect(storm).toMatchObject({
        sent: 200,
        statuses: { 401: 200 },
        signal: 'auth-storm',
        action: 'block',
      });
      expect(storm.authFailures).toBeGreaterThanOrEqual(200);
      expect(storm.enforcedAfterMs).toBeLessThanOrEqual(refreshBudgetMs());
      const ip = ipEntity(storm.ip!);
      expect(fromBlockItem((await get(blockItemKey(ip)))!)).toMatchObject({
        entity: ip,
        action: 'block',
        source: 'detector',
      });
      // Refused as an address: a valid token does not help.
      expect(await bystanderStatus()).toBe(403);

      expect(await cleanup()).toEqual([]);
      expect(report.cleanedUp).toBe(true);
      expect(await get(blockItemKey(ip))).toBeUndefined();
      expect(await get(detectorStateKey(ip))).toBeUndefined();
      const failures = await authFailuresByIp(client, stack.tables, bucketsBetween(startedAt, now()));
      expect(failures.get(ip.id)).toBeUndefined();
      // Cleanup returns once the gateway lets this address through again.
      expect(await bystanderStatus()).toBe(200);
    } finally {
      client.destroy();
    }
  }, 90_000);

  it('fails the storm with its statuses when the answers are not 401, and keeps a block it did not make', async () => {
    offsetMs = 0;
    const client = createDocumentClient({ endpoint: stack.storeEndpoint });
    // An operator's block of this machine's addresses, made before the smoke.
    const operatorBlocks: Entity[] = ['ip:127.0.0.0/8', 'ip:::1/128'].map((text) => {
      const parsed = parseEntity(text);
      if (!parsed.ok) throw new Error(parsed.problem);
      return parsed.entity;
    });
    const at = Math.floor(Date.now() / 1000);
    try {
      for (const entity of operatorBlocks)
        await putBlock(client, stack.tables.blocklist, {
          entity,
          action: 'block',
          reason: 'operator block',
          blockedAt: at,
          expiresAt: at + 3600,
          source: 'manual',
          strikes: 1,
        });
      await eventually(async () => (await bystanderStatus()) === 403, refreshBudgetMs(), 100);
      const { checks, report, cleanup } = anomalyChecks(
        smokeOptions(client, { authStorm: { requests: 20 } }),
      );
      // The storm's own steps; the volume path would be refused by the same block.
      const storm = checks.slice(5);
      const result = await storm[0]!.run();
      expect(result.ok).toBe(false);
      expect(report.storm).toMatchObject({ sent: 20, statuses: { 403: 20 } });
      expect(result.detail).toContain(JSON.stringify(report.storm!.statuses));
      expect(report.storm!.ip).toBeUndefined();

      expect(await cleanup()).toEqual([]);
      for (const entity of operatorBlocks) {
        const { Item } = await client.send(
          new GetCommand({
            TableName: stack.tables.blocklist,
            Key: blockItemKey(entity),
            ConsistentRead: true,
          }),
        );
        expect(Item).toBeDefined();
      }
    } finally {
      for (const entity of operatorBlocks) await deleteBlock(client, stack.tables.blocklist, entity);
      await eventually(async () => (await bystanderStatus()) === 200, refreshBudgetMs(), 100);
      client.destroy();
    }
  }, 60_000);
});
