// The blocklist, enforced: blocks written to the DynamoDB table (here dynalite) are picked up within
// the refresh interval, lifted at expiry without waiting for DynamoDB's TTL deletion, and IP blocks
// use the client address a client cannot spoof through X-Forwarded-For.
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../runtime/lib/clock';
import { silentLogger } from '../../../runtime/lib/logger';
import { toBlockItem, type BlockRecord } from '../../../core/shared/block-record';
import type { Entity } from '../../../core/shared/entity';
import type { TableNames } from '../../../core/shared/table-setup';
import { startDynalite, storeEnv, type DynaliteServer } from '../../helpers/dynalite';
import { eventually, startGateway, tokenFor, type TestGateway } from '../../helpers/gateway';
import { startUpstream, type Upstream } from '../../helpers/upstream';

describe('blocklist enforcement', () => {
  let store: DynaliteServer;
  let tables: TableNames;
  let upstream: Upstream;
  let gw: TestGateway;
  let behindAlb: TestGateway;
  const clock = manualClock(Date.now());
  /** Messages the gateway behind the proxy has logged, to wait on its refresh failures. */
  const albMessages: string[] = [];
  const albLog = {
    debug() {},
    info() {},
    warn: (msg: string) => void albMessages.push(msg),
    error: (msg: string) => void albMessages.push(msg),
  };
  const REFRESH_MS = 200;

  const env = (extra: Record<string, string> = {}) => ({
    SENTINEL_API_UPSTREAM_BASE_URL: upstream.url,
    ...storeEnv(store.endpoint, tables),
    SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
    ...extra,
  });
  const block = async (entity: Entity, seconds: number, reason = 'anomalous traffic') => {
    const now = Math.floor(clock.now() / 1000);
    const record: BlockRecord = {
      entity,
      action: 'block',
      reason,
      blockedAt: now,
      expiresAt: now + seconds,
      source: 'detector',
      strikes: 1,
    };
    await store
      .documentClient()
      .send(new PutCommand({ TableName: tables.blocklist, Item: toBlockItem(record) }));
    return record;
  };
  const call = async (target: TestGateway, headers: Record<string, string>) => {
    const res = await fetch(`${target.url}/proxy/orders`, { headers });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown>, res };
  };

  beforeAll(async () => {
    [store, upstream] = await Promise.all([startDynalite(), startUpstream()]);
    tables = await store.createTables();
    const overrides = { clock, blocklistRefreshMs: REFRESH_MS, logger: silentLogger };
    [gw, behindAlb] = await Promise.all([
      startGateway(env(), overrides),
      startGateway(env({ SENTINEL_API_TRUSTED_PROXY_HOPS: '1' }), { ...overrides, logger: albLog }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gw?.close(), behindAlb?.close()]);
    await Promise.all([store?.stop(), upstream?.close()]);
  });

  it('enforces a user block within the refresh interval with 403 (not 429), and lifts it at expiry', async () => {
    const auth = { authorization: `Bearer ${await tokenFor('mallory')}` };
    expect((await call(gw, auth)).status).toBe(200);
    const reason = 'operator-note-scraper-burst';
    const record = await block({ kind: 'user', id: 'mallory' }, 60, reason);
    const written = Date.now();
    await eventually(async () => (await call(gw, auth)).status === 403, REFRESH_MS * 10, 20);
    expect(Date.now() - written).toBeLessThan(REFRESH_MS * 10);
    const blocked = await call(gw, auth);
    expect(blocked.body).toMatchObject({
      error: 'blocked',
      expiresAt: new Date(record.expiresAt * 1000).toISOString(),
    });
    // The operator's reason is not the client's to read.
    expect(JSON.stringify(blocked.body)).not.toContain(reason);
    expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    const seen = upstream.received.length;
    expect((await call(gw, auth)).status).toBe(403);
    expect(upstream.received.length).toBe(seen);
    // The item is still in the table (no TTL deletion yet), but its expiry has passed.
    clock.advance(61_000);
    expect((await call(gw, auth)).status).toBe(200);
  });

  it('blocks an IP before authentication, using the socket address when no proxy is trusted', async () => {
    await block({ kind: 'ip', id: '127.0.0.1' }, 600);
    await eventually(async () => (await call(gw, {})).status === 403, REFRESH_MS * 10, 20);
    const blocked = await call(gw, {});
    expect(blocked.body).toMatchObject({ error: 'blocked', detail: 'IP blocked' });
    // A forged header does not move the client elsewhere.
    expect((await call(gw, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(403);
  });

  it('behind one trusted proxy, takes the right-most X-Forwarded-For entry and ignores spoofed ones', async () => {
    await block({ kind: 'ip', id: '203.0.113.9' }, 600);
    const token = { authorization: `Bearer ${await tokenFor('ip-tester')}` };
    // The load balancer appends the real client address last.
    await eventually(
      async () => (await call(behindAlb, { 'x-forwarded-for': '203.0.113.9' })).status === 403,
      REFRESH_MS * 10,
      20,
    );
    // The blocked client prepends an innocent address: still blocked.
    expect((await call(behindAlb, { ...token, 'x-forwarded-for': '192.0.2.1, 203.0.113.9' })).status).toBe(
      403,
    );
    // Another client claims to be the blocked one: only what the proxy appended counts.
    expect(
      (await call(behindAlb, { ...token, 'x-forwarded-for': '203.0.113.9, 198.51.100.20' })).status,
    ).toBe(200);
    // IPv4-mapped IPv6 is the same address.
    expect((await call(behindAlb, { ...token, 'x-forwarded-for': '::ffff:203.0.113.9' })).status).toBe(403);
  });

  it('keeps the last snapshot when a refresh fails', async () => {
    // Through the gateway behind a proxy, from an address that is not blocked.
    const auth = { authorization: `Bearer ${await tokenFor('persistent')}`, 'x-forwarded-for': '192.0.2.50' };
    expect((await call(behindAlb, auth)).status).toBe(200);
    await block({ kind: 'user', id: 'persistent' }, 600);
    await eventually(async () => (await call(behindAlb, auth)).status === 403, REFRESH_MS * 10, 20);
    const raw = new DynamoDBClient({
      endpoint: store.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    await raw.send(new DeleteTableCommand({ TableName: tables.blocklist }));
    raw.destroy();
    const failuresBefore = albMessages.filter((m) => m.startsWith('blocklist refresh failed')).length;
    await eventually(
      () => albMessages.filter((m) => m.startsWith('blocklist refresh failed')).length >= failuresBefore + 2,
      REFRESH_MS * 20,
      20,
    );
    const still = await call(behindAlb, auth);
    expect(still.body).toMatchObject({ error: 'blocked', detail: 'User blocked' });
    expect(behindAlb.gateway.deps.blocklist.ready()).toBe(true);
    // Staleness is reported by /ready, not judged: the task stays ready.
    clock.advance(REFRESH_MS * 3 + 1_000);
    const ready = await fetch(`${behindAlb.url}/ready`);
    expect(ready.status).toBe(200);
    expect(
      ((await ready.json()) as { blocklistAgeSeconds: number }).blocklistAgeSeconds,
    ).toBeGreaterThanOrEqual(1);
    await eventually(() => albMessages.includes('blocklist snapshot stale'), REFRESH_MS * 20, 20);
  });
});
