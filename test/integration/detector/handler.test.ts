// The detector Lambda against dynalite with the real table definitions: aggregates seeded the way
// the gateway writes them, a run with an injected clock, blocklist items and their ttl checked,
// reruns idempotent, a longer block never shortened, escalation, shadow mode, and the SNS publish.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config/load';
import { AGGREGATE_ATTRIBUTES } from '../../../core/shared/aggregate-record';
import {
  blockItemKey,
  detectorStateKey,
  fromBlockItem,
  isBlockActive,
  toBlockItem,
} from '../../../core/shared/block-record';
import { bucketPartitionKey, BUCKET_MS } from '../../../core/shared/buckets';
import { entityKey, ipEntity, userEntity, type Entity } from '../../../core/shared/entity';
import type { TableNames } from '../../../core/shared/table-setup';
import type { Alert } from '../../../lambda/anomaly-detector/alert';
import { createHandler } from '../../../lambda/anomaly-detector/handler';
import { createSnsPublisher } from '../../../lambda/anomaly-detector/publisher';
import { createDetectorStore } from '../../../lambda/anomaly-detector/store';
import { startDynalite, type DynaliteServer } from '../../helpers/dynalite';

const NOW = Date.UTC(2025, 2, 12, 12, 0);
const HOUR = 3_600_000;
const alice = userEntity('alice');
const storm = ipEntity('203.0.113.9');
const ops = userEntity('ops-bot');

type Row = { entity: Entity; start: number; requests: number; authFailures?: number };

/** Ordinary users with a week of history, plus alice bursting, an IP storming and an allowlisted bot. */
function scenario(now: number): Row[] {
  const rows: Row[] = [];
  const hour = (entity: Entity, hourStart: number, perHour: number, authFailures = 0) => {
    for (let b = 0; b < 4; b++)
      rows.push({
        entity,
        start: hourStart + b * BUCKET_MS,
        requests: perHour / 4,
        authFailures: authFailures / 4,
      });
  };
  const current = now - HOUR;
  for (let i = 0; i < 20; i++) {
    const user = userEntity(`u${i}`);
    const rate = 20 + i * 6;
    for (let d = 1; d <= 7; d++)
      for (const h of [-1, 0, 1]) hour(user, current - d * 24 * HOUR + h * HOUR, rate);
    for (let h = 0; h <= 8; h++) hour(user, current - h * HOUR, rate);
  }
  for (const bursting of [alice, ops]) {
    for (let d = 1; d <= 7; d++)
      for (const h of [-1, 0, 1]) hour(bursting, current - d * 24 * HOUR + h * HOUR, 40);
    for (let h = 1; h <= 8; h++) hour(bursting, current - h * HOUR, 40);
    hour(bursting, current, 2000);
  }
  hour(storm, current, 800, 800);
  return rows;
}

async function seed(client: DynamoDBDocumentClient, table: string, rows: Row[]): Promise<void> {
  const items = rows.map((r) => ({
    pk: bucketPartitionKey(r.start),
    sk: entityKey(r.entity),
    [AGGREGATE_ATTRIBUTES.requests]: r.requests,
    [AGGREGATE_ATTRIBUTES.errors4xx]: r.authFailures ?? 0,
    [AGGREGATE_ATTRIBUTES.errors5xx]: 0,
    [AGGREGATE_ATTRIBUTES.authFailures]: r.authFailures ?? 0,
    [AGGREGATE_ATTRIBUTES.rateLimited]: 0,
    [AGGREGATE_ATTRIBUTES.endpoints]: new Set(['/v1/a', '/v1/b']),
    ttl: Math.floor(r.start / 1000) + 8 * 86400,
  }));
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

describe('anomaly detector handler (dynalite)', () => {
  let store: DynaliteServer;
  let client: DynamoDBDocumentClient;

  beforeAll(async () => {
    store = await startDynalite();
    client = store.documentClient();
  });
  afterAll(async () => {
    await store.stop();
  });

  async function setup(overrides: Record<string, unknown> = {}) {
    const tables: TableNames = await store.createTables();
    await seed(client, tables.trafficAggregates, scenario(NOW));
    const config = loadConfig({
      scope: 'detector',
      noEnvFile: true,
      env: {},
      explicit: {
        trafficAggregateTableName: tables.trafficAggregates,
        blocklistTableName: tables.blocklist,
        dynamodbEndpoint: store.endpoint,
        anomalyAllowlist: 'user:ops-bot',
        ...overrides,
      },
    }).values;
    const alerts: Alert[] = [];
    let now = NOW;
    const handler = createHandler({
      config,
      publisher: { publish: async (alert) => void alerts.push(alert) },
      now: () => now,
      log: () => {},
    });
    const getItem = async (key: { pk: string }) =>
      (await client.send(new GetCommand({ TableName: tables.blocklist, Key: key }))).Item;
    return { tables, config, alerts, handler, getItem, setNow: (ms: number) => (now = ms) };
  }

  it('blocks what it detects with a ttl, reports the allowlisted, alerts once, and reruns idempotently', async () => {
    const { handler, alerts, getItem, setNow, config } = await setup();
    const summary = await handler();
    expect(summary).toMatchObject({
      autoBlocked: true,
      alerted: true,
      windowEnd: new Date(NOW).toISOString(),
    });
    const byEntity = Object.fromEntries(summary.entities.map((e) => [e.entity, e]));
    // Volume alone throttles; an auth storm is an abuse signature and blocks.
    expect(byEntity['user:alice']).toMatchObject({ action: 'throttle', response: 'throttle', strikes: 1 });
    expect(byEntity['ip:203.0.113.9']).toMatchObject({
      action: 'block',
      response: 'block',
      signal: 'auth-storm',
    });
    expect(byEntity['user:ops-bot']).toMatchObject({ action: 'report' });
    expect(summary.blockedCount).toBe(1);
    expect(summary.throttledCount).toBe(1);
    expect(summary.anomalyCount).toBe(summary.entities.length);

    const item = await getItem(blockItemKey(alice));
    expect(item?.ttl).toBe(NOW / 1000 + 3600);
    const block = fromBlockItem(item!)!;
    expect(block).toMatchObject({
      action: 'throttle',
      source: 'detector',
      strikes: 1,
      blockedAt: NOW / 1000,
      entity: alice,
    });
    // Generous: at least 3x what alice usually sends (40/h), and never below the floor.
    expect(block.limit!.refillPerSecond * 3600).toBeGreaterThanOrEqual(3 * 40);
    expect(block.limit!.refillPerSecond).toBeGreaterThanOrEqual(config.anomalyThrottleMinRate);
    expect(block.evidence).toMatchObject({ why: byEntity['user:alice']!.why });
    expect(fromBlockItem((await getItem(blockItemKey(storm)))!)).toMatchObject({ action: 'block' });
    expect(fromBlockItem((await getItem(blockItemKey(storm)))!)).not.toHaveProperty('limit');
    expect(block.evidence).toMatchObject({
      signal: summary.entities.find((e) => e.entity === 'user:alice')!.signal,
    });
    expect(isBlockActive(block, NOW + 30 * 60_000)).toBe(true);
    expect(await getItem(blockItemKey(ops))).toBeUndefined();
    expect(await getItem(detectorStateKey(alice))).toMatchObject({
      throttleStrikes: 1,
      throttledSince: NOW / 1000,
      alertedAction: 'throttle',
      lastWindowEnd: NOW,
    });

    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toBe(`SentinelAPI: 3 anomalies detected (1 blocked, 1 throttled)`);
    expect(alerts[0]!.message.split('\n')[0]).toContain('3 entities flagged');

    // The same window again: nothing blocked twice, no second alert.
    const again = await handler();
    expect(again.blockedCount).toBe(0);
    expect(again.entities.every((e) => e.action === 'skip')).toBe(true);
    expect(alerts).toHaveLength(1);
    // The next run, while the blocks last: still no new block or alert.
    setNow(NOW + 15 * 60_000);
    const next = await handler();
    expect(next.blockedCount).toBe(0);
    expect(alerts).toHaveLength(1);
    expect((await getItem(blockItemKey(alice)))?.ttl).toBe(NOW / 1000 + 3600);
  });

  it('stamps a block with the decision time, not the end of the window it judged', async () => {
    const { handler, getItem, setNow } = await setup();
    // A manual run (smoke) judges the window ending at the end of the current bucket, minutes ahead.
    const decidedAt = NOW - 9 * 60_000 + 12_000;
    setNow(decidedAt);
    const summary = await handler(NOW);
    expect(summary.windowEnd).toBe(new Date(NOW).toISOString());
    const block = fromBlockItem((await getItem(blockItemKey(alice)))!)!;
    expect(block.blockedAt).toBe(Math.floor(decidedAt / 1000));
    expect(block.expiresAt).toBe(Math.floor(decidedAt / 1000) + 3600);
    expect(block.evidence).toMatchObject({
      windowStart: new Date(NOW - HOUR).toISOString(),
      windowEnd: new Date(NOW).toISOString(),
    });
    expect(summary.entities.find((e) => e.entity === 'user:alice')?.until).toBe(
      new Date((Math.floor(decidedAt / 1000) + 3600) * 1000).toISOString(),
    );
  });

  it('never shortens a longer block, and escalates a repeat offender', async () => {
    const { tables, handler, getItem, setNow } = await setup();
    const longer = NOW / 1000 + 30 * 86400;
    await client.send(
      new PutCommand({
        TableName: tables.blocklist,
        Item: toBlockItem({
          entity: storm,
          action: 'block',
          reason: 'manual',
          blockedAt: NOW / 1000 - 60,
          expiresAt: longer,
          source: 'manual',
          strikes: 1,
        }),
      }),
    );
    const first = await handler();
    expect(first.entities.find((e) => e.entity === 'ip:203.0.113.9')).toMatchObject({
      action: 'skip',
      skipped: 'already-blocked',
    });
    expect((await getItem(blockItemKey(storm)))?.ttl).toBe(longer);
    const direct = createDetectorStore(client, {
      aggregates: tables.trafficAggregates,
      blocklist: tables.blocklist,
    });
    expect(
      await direct.putBlock({
        entity: storm,
        action: 'block',
        reason: 'x',
        blockedAt: NOW / 1000,
        expiresAt: NOW / 1000 + 60,
        source: 'detector',
        strikes: 1,
      }),
    ).toBe(false);
    expect((await getItem(blockItemKey(storm)))?.source).toBe('manual');

    // Two hours later alice's first throttle has expired and she bursts again: a doubled throttle.
    const later = NOW + 2 * HOUR;
    await seed(client, tables.trafficAggregates, scenario(later));
    setNow(later);
    const second = await handler();
    expect(second.entities.find((e) => e.entity === 'user:alice')).toMatchObject({
      action: 'throttle',
      strikes: 2,
    });
    expect((await getItem(blockItemKey(alice)))?.ttl).toBe(later / 1000 + 7200);
  });

  it('never replaces a block with a throttle, and replaces a throttle with a block', async () => {
    const { tables, getItem } = await setup();
    const direct = createDetectorStore(client, {
      aggregates: tables.trafficAggregates,
      blocklist: tables.blocklist,
    });
    const at = NOW / 1000;
    const record = (action: 'block' | 'throttle', expiresAt: number) => ({
      entity: alice,
      action,
      ...(action === 'throttle' ? { limit: { capacity: 30, refillPerSecond: 0.5 } } : {}),
      reason: 'x',
      blockedAt: at,
      expiresAt,
      source: 'detector' as const,
      strikes: 1,
    });
    expect(await direct.putBlock(record('block', at + 600))).toBe(true);
    expect(await direct.putBlock(record('throttle', at + 7200))).toBe(false);
    expect((await getItem(blockItemKey(alice)))?.action).toBe('block');
    const ip = ipEntity('198.51.100.4');
    const throttle = { ...record('throttle', at + 7200), entity: ip };
    expect(await direct.putBlock(throttle)).toBe(true);
    expect(await direct.putBlock({ ...throttle, expiresAt: at + 600 })).toBe(false);
    expect(await direct.putBlock({ ...record('block', at + 600), entity: ip })).toBe(true);
    expect(fromBlockItem((await getItem(blockItemKey(ip)))!)).toMatchObject({
      action: 'block',
      expiresAt: at + 600,
    });
    const histories = await direct.readHistories([alice, ip], NOW);
    expect(histories.get(entityKey(ip))).toMatchObject({ blockExpiresAt: at + 600 });
  });

  it('in shadow mode blocks nothing, alerts once and says what it would have done', async () => {
    const { handler, alerts, getItem } = await setup({ anomalyAutoBlock: false });
    const summary = await handler();
    expect(summary).toMatchObject({ autoBlocked: false, blockedCount: 0 });
    expect(summary.entities.find((e) => e.entity === 'user:alice')).toMatchObject({
      action: 'shadow',
      response: 'throttle',
    });
    expect(await getItem(blockItemKey(alice))).toBeUndefined();
    expect(alerts).toHaveLength(1);
    const details = JSON.parse(alerts[0]!.message.split('Details (JSON):\n')[1]!);
    expect(details.anomalies.map((a: { action: string }) => a.action).sort()).toEqual([
      'report',
      'shadow-block',
      'shadow-throttle',
    ]);
    await handler();
    expect(alerts).toHaveLength(1);
  });

  it('publishes the alert to the SNS topic', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:sentinel-alerts';
    const publisher = createSnsPublisher({ topicArn, client: new SNSClient({ region: 'us-east-1' }) });
    await publisher.publish({ subject: 'SentinelAPI: 1 anomaly detected', message: 'text' });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      TopicArn: topicArn,
      Subject: 'SentinelAPI: 1 anomaly detected',
      Message: 'text',
    });
    sns.restore();
  });
});
