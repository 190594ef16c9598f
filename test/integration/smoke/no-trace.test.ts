// `sentinel smoke --rate-limit` against a real dev stack (gateway, store, detector) leaves nothing
// the detector could act on: the same drain kept in the aggregates is flagged, the drain whose
// traffic the smoke removes is not, and no block, throttle or aggregate of its users remains.
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../core/shared/dynamodb';
import { BUCKET_MS, bucketStart } from '../../../core/shared/buckets';
import type { DevStack } from '../../../src/dev/dev-stack';
import { basicChecks } from '../../../src/smoke/basic-checks';
import { noTrace } from '../../../src/smoke/no-trace';
import { bucketsBetween, countedRequests } from '../../../src/smoke/traces';
import { eventually } from '../../helpers/gateway';
import { startTestDevStack, type TestDevStack } from '../../helpers/dev-stack';

const SECRET = 'smoke-no-trace-test-secret-with-more-than-32-bytes';
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
let dev: TestDevStack;
let stack: DevStack;

beforeAll(async () => {
  dev = await startTestDevStack(SECRET, { clock: { now } });
  stack = dev.stack;
  // One minute into a bucket, on the gateway's clock and the smoke's alike.
  const realNow = Date.now();
  offsetMs = bucketStart(realNow) + BUCKET_MS + 60_000 - realNow;
}, 30_000);

afterAll(async () => {
  await dev?.stop();
});

describe('smoke leaves no trace', () => {
  it('removes its test traffic before the detector can read it; the same drain kept is flagged', async () => {
    const client = createDocumentClient({ endpoint: stack.storeEndpoint });
    const flushSeconds = stack.config.values.telemetryFlushSeconds;
    const mint = (subject: string) => stack.mint!(subject);
    try {
      // The control: a drain whose traffic stays is what the detector acts on.
      const kept = `smoke-${randomBytes(4).toString('hex')}`;
      const startedAt = now();
      const keptChecks = basicChecks({ url: stack.gatewayUrl, mint, rateLimit: true, subject: kept });
      for (const check of keptChecks)
        expect({ check: check.name, ...(await check.run()) }).toMatchObject({ ok: true });
      const drainSent = 1 + stack.config.values.rateLimitCapacity; // up to and including the 429
      await eventually(
        async () =>
          (await countedRequests(client, stack.tables, `${kept}-drain`, bucketsBetween(startedAt, now()))) >=
          drainSent,
        (flushSeconds * 3 + 10) * 1000,
        200,
      );

      // The smoke as `sentinel smoke --rate-limit` runs it against a stack.
      const traces = noTrace({ client, tables: stack.tables, flushSeconds, mint, now });
      expect(traces.waitMs(60_000)).toBe(0);
      traces.start();
      const subject = `smoke-${randomBytes(4).toString('hex')}`;
      const checks = basicChecks({
        url: stack.gatewayUrl,
        mint: traces.mint,
        rateLimit: true,
        subject,
        fetch: traces.fetch,
      });
      for (const check of [...checks, traces.check]) {
        const result = await check.run();
        expect({ check: check.name, ...result }).toMatchObject({ check: check.name, ok: true });
      }

      // The detector as of the end of the bucket, when it first reads it.
      const summary = await stack.runDetector(bucketStart(now()) + BUCKET_MS);
      const flagged = summary.entities.map((e) => e.entity);
      expect(flagged).toContain(`user:${kept}-drain`);
      expect(flagged.filter((e) => e.includes(subject))).toEqual([]);
      const items = async (table: string) =>
        ((await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).filter(
          (item) => JSON.stringify(item).includes(subject),
        );
      expect(await items(stack.tables.blocklist)).toEqual([]);
      expect(await items(stack.tables.trafficAggregates)).toEqual([]);
      expect(await items(stack.tables.requestLogs)).toEqual([]);
    } finally {
      client.destroy();
    }
  }, 120_000);
});
