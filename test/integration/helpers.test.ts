// The test harness's own tests: real redis-server, dynalite and HTTP upstream come up, work and stop.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES, TABLE_IDS, type TableDefinition } from '../../core/shared/tables';
import { startDynalite, type DynaliteServer } from '../helpers/dynalite';
import { startRedisServer } from '../helpers/redis-server';
import { redisAvailable } from '../helpers/services';
import { startUpstream } from '../helpers/upstream';

describe.runIf(redisAvailable())('redis-server helper', () => {
  it('starts on a random port, survives a stop/start on the same port, and stops', async () => {
    const redis = await startRedisServer();
    const client = redis.client();
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      const config = (await client.config('GET', 'save')) as string[];
      expect(config[1]).toBe('');
      await redis.stop();
      await redis.start();
      // No persistence: the restarted server is empty.
      expect(await client.get('k')).toBeNull();
    } finally {
      client.disconnect();
      await redis.stop();
    }
    const probe = new Redis({
      port: redis.port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });
});

describe('dynalite helper', () => {
  let store: DynaliteServer;
  beforeAll(async () => {
    store = await startDynalite();
  });
  afterAll(async () => {
    await store.stop();
  });

  it('creates every table with the key schema of the shared definitions, and counts requests', async () => {
    const names = await store.createTables();
    const raw = new DynamoDBClient({
      endpoint: store.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    for (const id of TABLE_IDS) {
      const { Table } = await raw.send(new DescribeTableCommand({ TableName: names[id] }));
      const definition: TableDefinition = TABLES[id];
      const expected = [
        definition.partitionKey.name,
        ...(definition.sortKey ? [definition.sortKey.name] : []),
      ];
      expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(expected);
      expect(Table?.TableStatus).toBe('ACTIVE');
    }
    raw.destroy();
    const doc = store.documentClient();
    const before = store.requestCount();
    await doc.send(new PutCommand({ TableName: names.blocklist, Item: { pk: 'USER#a', ttl: 1 } }));
    const { Item } = await doc.send(new GetCommand({ TableName: names.blocklist, Key: { pk: 'USER#a' } }));
    expect(Item).toEqual({ pk: 'USER#a', ttl: 1 });
    expect(store.requestCount() - before).toBe(2);
  });

  it('gives each call its own table prefix so test files do not collide', async () => {
    const a = await store.createTables();
    const b = await store.createTables();
    expect(a.blocklist).not.toBe(b.blocklist);
  });
});

describe('upstream helper', () => {
  it('echoes what it received', async () => {
    const upstream = await startUpstream();
    try {
      const res = await fetch(`${upstream.url}/v1/orders?limit=5`, { method: 'POST', body: 'hello' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { method: string; url: string; bodyBytes: number };
      expect(body).toMatchObject({ method: 'POST', url: '/v1/orders?limit=5', bodyBytes: 5 });
      expect(upstream.received).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });
});
