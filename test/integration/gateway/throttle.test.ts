// Throttles, enforced: a throttle item in the blocklist table (dynalite) caps its entity through the
// token bucket of a real redis-server, at the lower of the normal policy and the throttle, in one
// Redis command per request; a throttled refusal is 429 `throttled` with the throttled policy in
// its headers; a throttle stops applying at its expiry; the in-process bucket (no Redis, or Redis
// down in failure mode `open`) applies it alike; nobody else is affected.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBlock } from '../../../core/shared/blocklist-table';
import type { BlockRecord, ThrottleLimit } from '../../../core/shared/block-record';
import type { Entity } from '../../../core/shared/entity';
import type { TableNames } from '../../../core/shared/table-setup';
import { manualClock } from '../../../runtime/lib/clock';
import { silentLogger } from '../../../runtime/lib/logger';
import { startDynalite, storeEnv, type DynaliteServer } from '../../helpers/dynalite';
import { eventually, startGateway, tokenFor, type TestGateway } from '../../helpers/gateway';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { redisAvailable } from '../../helpers/services';
import { startUpstream, type Upstream } from '../../helpers/upstream';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

describe.runIf(redisAvailable())('throttles', () => {
  let redis: RedisServer;
  let downRedis: RedisServer;
  let admin: Redis;
  let store: DynaliteServer;
  let tables: TableNames;
  let upstream: Upstream;
  let gw: TestGateway;
  let fast: TestGateway;
  let memory: TestGateway;
  let outage: TestGateway;
  const clock = manualClock(Date.now());
  const REFRESH_MS = 100;
  const prefix = `t${randomBytes(4).toString('hex')}:`;

  const env = (extra: Record<string, string> = {}) => ({
    SENTINEL_API_UPSTREAM_BASE_URL: upstream.url,
    ...storeEnv(store.endpoint, tables),
    // Ten tokens and practically no refill: the normal policy's answers are exact.
    SENTINEL_API_RATE_LIMIT_CAPACITY: '10',
    SENTINEL_API_RATE_LIMIT_REFILL_RATE: '0.001',
    SENTINEL_API_RATE_LIMIT_HEADERS: 'ietf,draft-6,legacy',
    SENTINEL_API_TRUSTED_PROXY_HOPS: '1',
    SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
    ...extra,
  });
  const throttle = async (entity: Entity, limit: ThrottleLimit, seconds = 600, publicReason?: string) => {
    const now = Math.floor(clock.now() / 1000);
    const record: BlockRecord = {
      entity,
      action: 'throttle',
      limit,
      reason: 'volume 12x the usual hour',
      ...(publicReason ? { publicReason } : {}),
      blockedAt: now,
      expiresAt: now + seconds,
      source: 'detector',
      strikes: 1,
    };
    await putBlock(store.documentClient(), tables.blocklist, record);
  };
  const call = async (target: TestGateway, user: string, ip = '192.0.2.10'): Promise<Answer> => {
    const res = await fetch(`${target.url}/proxy/orders`, {
      headers: { authorization: `Bearer ${await tokenFor(user)}`, 'x-forwarded-for': ip },
    });
    return {
      status: res.status,
      body: (await res.json().catch(() => ({}))) as Answer['body'],
      headers: res.headers,
    };
  };
  const statuses = async (target: TestGateway, n: number, user: string, ip?: string) => {
    const seen: Array<number | string> = [];
    for (let i = 0; i < n; i++) {
      const answer = await call(target, user, ip);
      seen.push(answer.status === 429 ? String(answer.body.error) : answer.status);
    }
    return seen;
  };
  const throttledNow = (target: TestGateway, user: string, ip?: string) =>
    eventually(async () => (await call(target, user, ip)).body.error === 'throttled', REFRESH_MS * 30, 20);

  beforeAll(async () => {
    [redis, downRedis, store, upstream] = await Promise.all([
      startRedisServer(),
      startRedisServer(),
      startDynalite(),
      startUpstream(),
    ]);
    tables = await store.createTables();
    admin = redis.client();
    await downRedis.stop();
    const overrides = {
      clock,
      logger: silentLogger,
      blocklistRefreshMs: REFRESH_MS,
      rateLimitKeyPrefix: prefix,
      breaker: { baseCooldownMs: 60_000, maxCooldownMs: 60_000 },
    };
    // A refill the throttles can go below; the in-process buckets follow the manual clock, so
    // their answers stay exact.
    const refilling = { SENTINEL_API_RATE_LIMIT_REFILL_RATE: '2' };
    [gw, fast, memory, outage] = await Promise.all([
      startGateway(env({ SENTINEL_API_REDIS_URL: redis.url }), overrides),
      startGateway(env({ SENTINEL_API_REDIS_URL: redis.url, ...refilling }), overrides),
      startGateway(env(refilling), overrides),
      startGateway(
        env({
          SENTINEL_API_REDIS_URL: downRedis.url,
          SENTINEL_API_RATE_LIMIT_FAILURE_MODE: 'open',
          ...refilling,
        }),
        overrides,
      ),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gw?.close(), fast?.close(), memory?.close(), outage?.close()]);
    admin?.disconnect();
    await Promise.all([redis?.stop(), downRedis?.stop(), store?.stop(), upstream?.close()]);
  });

  it('refuses a throttled user with 429 throttled at the throttled rate, and nobody else', async () => {
    // Half the normal bucket spent first (2.5 s of refill): under a throttle whose bucket refills in
    // 1 s, that debt counts as an empty bucket, not as seconds to wait out.
    expect(await statuses(fast, 5, 'surging')).toEqual([200, 200, 200, 200, 200]);
    await throttle(
      { kind: 'user', id: 'surging' },
      { capacity: 1, refillPerSecond: 1 },
      600,
      'Unusual volume',
    );
    await throttledNow(fast, 'surging');

    const refused = await call(fast, 'surging');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'throttled', reason: 'Unusual volume' });
    expect(typeof refused.body.requestId).toBe('string');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-policy')).toBe('"throttled";q=1;w=1');
    expect(refused.headers.get('ratelimit-limit')).toBe('1');
    expect(refused.headers.get('ratelimit')).toMatch(/^"throttled";r=0;t=\d+$/);
    // One token a second: one request passes once it is back, and the next is refused again.
    await eventually(async () => (await call(fast, 'surging')).status === 200, 3000, 50);
    expect((await call(fast, 'surging')).body.error).toBe('throttled');
    // The bucket is kept for the throttled policy's idle time, not the normal one's.
    expect(await admin.pttl(`${prefix}USER#surging`)).toBeLessThanOrEqual(2000);

    // Another user: the normal policy, whole.
    const other = await statuses(fast, 5, 'bystander');
    expect(other).toEqual([200, 200, 200, 200, 200]);
    const normal = await call(fast, 'bystander');
    expect(normal.headers.get('ratelimit-policy')).toBe('"per-user";q=10;w=5');
    expect(Number(normal.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(4);
  });

  it('never raises a user above the normal policy, and the lower of the two applies', async () => {
    await throttle({ kind: 'user', id: 'generous' }, { capacity: 1000, refillPerSecond: 1000 });
    await throttle({ kind: 'user', id: 'narrow' }, { capacity: 3, refillPerSecond: 1000 });
    await eventually(async () => (await call(gw, 'narrow')).headers.get('ratelimit-limit') === '3', 3000, 20);
    expect(await statuses(gw, 11, 'generous')).toEqual([...Array(10).fill(200), 'rate_limited']);
    // Capacity 3 from the throttle, refill 0.001/s from the normal policy.
    const narrow = await call(gw, 'narrow');
    expect(narrow.headers.get('ratelimit-policy')).toBe('"throttled";q=3;w=3000');
  });

  it('stops applying a throttle at its expiry', async () => {
    await throttle({ kind: 'user', id: 'calmed' }, { capacity: 1, refillPerSecond: 0.01 }, 60);
    await throttledNow(gw, 'calmed');
    // The item is still in the table (no TTL deletion yet); its expiry has passed.
    clock.advance(61_000);
    const after = await call(gw, 'calmed');
    expect(after.status).toBe(200);
    expect(after.headers.get('ratelimit-policy')).toBe('"per-user";q=10;w=10000');
  });

  it("charges a throttled IP's requests to the IP's bucket, one Redis command each", async () => {
    const ip = '203.0.113.40';
    await throttle({ kind: 'ip', id: ip }, { capacity: 3, refillPerSecond: 0.001 });
    await eventually(
      async () => (await call(gw, 'probe', ip)).headers.get('ratelimit-limit') === '3',
      3000,
      20,
    );

    const monitor = await redis.client().monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(String(args[0]).toLowerCase());
    });
    // The probe took one token; two users behind the address share the other two.
    const shared = [...(await statuses(gw, 2, 'office-a', ip)), ...(await statuses(gw, 2, 'office-b', ip))];
    expect(shared).toEqual([200, 200, 'throttled', 'throttled']);
    await eventually(() => seen.filter((c) => c === 'evalsha').length >= 4);
    monitor.disconnect();
    expect(seen).toEqual(Array(4).fill('evalsha'));
    expect(await admin.exists(`${prefix}IP#${ip}`)).toBe(1);
    // The same user from elsewhere: their own bucket, untouched.
    expect((await call(gw, 'office-a', '198.51.100.41')).headers.get('x-rate-limit-remaining')).toBe('9');
  });

  it('applies throttles in the in-process bucket too: without Redis, and with Redis down (open)', async () => {
    await throttle({ kind: 'user', id: 'local' }, { capacity: 2, refillPerSecond: 1 });
    for (const target of [memory, outage]) {
      await throttledNow(target, 'local');
      // The clock is the gateway's (manual here): exactly one token a second.
      clock.advance(1000);
      expect(await statuses(target, 2, 'local')).toEqual([200, 'throttled']);
      clock.advance(2000);
      expect(await statuses(target, 3, 'local')).toEqual([200, 200, 'throttled']);
      expect(await statuses(target, 11, `unthrottled-${target === memory ? 'm' : 'o'}`)).toEqual([
        ...Array(10).fill(200),
        'rate_limited',
      ]);
    }
    const health = (await (await fetch(`${outage.url}/health`)).json()) as {
      backends: { rateLimiterState: string };
    };
    expect(health.backends.rateLimiterState).toBe('degraded');
  });
});
