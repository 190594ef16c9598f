// The anomaly smoke test's steps against a real dev stack (gateway, store, detector), with the
// gateway's clock and the smoke's sharing one offset so that a burst can be made to cross a
// 15-minute bucket boundary on purpose, as a run at 09:44:59 does by chance.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevStack } from '../../../src/dev/dev-stack';
import { createDocumentClient } from '../../../core/shared/dynamodb';
import { aggregateKey, countsFromItem } from '../../../core/shared/aggregate-record';
import { BUCKET_MS, bucketStart } from '../../../core/shared/buckets';
import { userEntity } from '../../../core/shared/entity';
import { blockItemKey } from '../../../core/shared/block-record';
import { putBlock } from '../../../core/shared/blocklist-table';
import { anomalyChecks } from '../../../src/smoke/anomaly';
import { startTestDevStack, type TestDevStack } from '../../helpers/dev-stack';

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

      const latestBaseline = boundary - 5 * BUCKET_MS; // the hour before is the detector's "current"
      expect(await inBucket(latestBaseline)).toBeGreaterThan(0);

      // Cleanup removes both burst buckets' items and the baseline. (Not asserted for the later
      // bucket: the 403 probes are counted in it and the gateway may write them after cleanup.)
      await cleanup();
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
});
