// Rate limiting against a real redis-server: exact burst accounting across two gateways, headers,
// one Redis command and no DynamoDB call per request, and both failure modes with recovery.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenBucket } from '../../../runtime/rate-limit/redis-limiter';
import type { TableNames } from '../../../core/shared/table-setup';
import { startDynalite, storeEnv, type DynaliteServer } from '../../helpers/dynalite';
import { eventually, startGateway, tokenFor, type TestGateway } from '../../helpers/gateway';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { redisAvailable } from '../../helpers/services';
import { startUpstream, type Upstream } from '../../helpers/upstream';

async function commandStats(client: Redis): Promise<Record<string, number>> {
  const text = (await client.info('commandstats')) as string;
  const stats: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats[match[1]!] = Number(match[2]);
  return stats;
}

describe.runIf(redisAvailable())('rate limiting with Redis', () => {
  let redis: RedisServer;
  let admin: Redis;
  let store: DynaliteServer;
  let tables: TableNames;
  let upstream: Upstream;
  let a: TestGateway;
  let b: TestGateway;
  let closed: TestGateway;
  const prefix = `t${randomBytes(4).toString('hex')}:`;

  const env = (extra: Record<string, string> = {}) => ({
    SENTINEL_API_UPSTREAM_BASE_URL: upstream.url,
    SENTINEL_API_REDIS_URL: redis.url,
    ...storeEnv(store.endpoint, tables),
    SENTINEL_API_RATE_LIMIT_CAPACITY: '10',
    SENTINEL_API_RATE_LIMIT_REFILL_RATE: '0.001',
    // Long intervals: no background DynamoDB call during the test.
    SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
    SENTINEL_API_BLOCKLIST_REFRESH_SECONDS: '3600',
    ...extra,
  });
  const get = async (gw: TestGateway, user: string) =>
    fetch(`${gw.url}/proxy/items`, { headers: { authorization: `Bearer ${await tokenFor(user)}` } });

  beforeAll(async () => {
    [redis, store, upstream] = await Promise.all([startRedisServer(), startDynalite(), startUpstream()]);
    tables = await store.createTables();
    admin = redis.client();
    const overrides = { rateLimitKeyPrefix: prefix, breaker: { baseCooldownMs: 100, maxCooldownMs: 400 } };
    [a, b, closed] = await Promise.all([
      startGateway(env(), overrides),
      startGateway(env({ SENTINEL_API_RATE_LIMIT_HEADERS: 'ietf,draft-6,legacy' }), overrides),
      startGateway(env({ SENTINEL_API_RATE_LIMIT_FAILURE_MODE: 'closed' }), overrides),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), closed?.close()]);
    admin?.disconnect();
    await Promise.all([redis?.stop(), store?.stop(), upstream?.close()]);
  });

  it('allows exactly the capacity across two gateways sharing one Redis', async () => {
    const token = await tokenFor('burst');
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetch(`${(i % 2 ? a : b).url}/proxy/items`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const limited = responses.find((r) => r.status === 429)!;
    expect(await limited.json()).toMatchObject({ error: 'rate_limited', detail: 'Rate limit exceeded' });
    // One token every 1000 s at 0.001 tokens/s.
    expect(limited.headers.get('retry-after')).toBe('1000');
  });

  it("sends the original's header by default, and says so on /health", async () => {
    const res = await get(a, 'default-headers');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-rate-limit-remaining')).toBe('9');
    for (const name of [
      'ratelimit-policy',
      'ratelimit',
      'ratelimit-limit',
      'ratelimit-remaining',
      'retry-after',
    ])
      expect(res.headers.get(name)).toBeNull();
    const health = (await (await fetch(`${a.url}/health`)).json()) as { rateLimitHeaders: string[] };
    expect(health.rateLimitHeaders).toEqual(['legacy']);
  });

  it('reports the limit state in the draft, common and original headers when configured', async () => {
    const res = await get(b, 'headers');
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"per-user";q=10;w=10000');
    expect(res.headers.get('ratelimit')).toBe('"per-user";r=9;t=1000');
    expect(res.headers.get('ratelimit-limit')).toBe('10');
    expect(res.headers.get('ratelimit-remaining')).toBe('9');
    expect(res.headers.get('ratelimit-reset')).toBe('1000');
    expect(res.headers.get('x-rate-limit-remaining')).toBe('9');
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('makes exactly one Redis command and no DynamoDB call per proxied request', async () => {
    await get(a, 'counted'); // warm: script cached, token verified once
    // MONITOR shows every command with its source; those a script runs inside Redis say "lua".
    const monitor = await redis.client().monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(String(args[0]).toLowerCase());
    });
    const statsBefore = await commandStats(admin);
    const dynamoBefore = store.requestCount();
    const n = 20;
    for (let i = 0; i < n; i++) expect((await get(a, 'counted')).status).toBe(i < 9 ? 200 : 429);
    const statsAfter = await commandStats(admin);
    await eventually(() => seen.filter((c) => c === 'evalsha').length >= n);
    monitor.disconnect();
    expect(seen.filter((c) => c !== 'info')).toEqual(Array(n).fill('evalsha'));
    // The same from the server's counters: n script runs, each reading the clock once.
    expect((statsAfter.evalsha ?? 0) - (statsBefore.evalsha ?? 0)).toBe(n);
    expect((statsAfter.time ?? 0) - (statsBefore.time ?? 0)).toBe(n);
    expect(store.requestCount() - dynamoBefore).toBe(0);
  });

  it('falls back to EVAL when the server lost the script (NOSCRIPT)', async () => {
    await admin.script('FLUSH');
    const res = await get(a, 'noscript');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-rate-limit-remaining')).toBe('9');
  });

  it('charges nothing for a refused request', async () => {
    const client = redis.client();
    const bucket = new RedisTokenBucket(client, { capacity: 2, refillPerSecond: 0.001 });
    const key = `${prefix}refusal`;
    expect((await bucket.take(key)).success).toBe(true);
    expect((await bucket.take(key)).success).toBe(true);
    const before = await client.get(key);
    const refused = await bucket.take(key);
    expect(refused).toMatchObject({ success: false, reason: 'limited', remaining: 0 });
    // One token back in 1000 s; the bucket (2 tokens, both spent) is full again in 2000 s.
    expect(refused.retryAfterMs).toBeGreaterThan(999_000);
    expect(refused.resetMs).toBeGreaterThan(1_999_000);
    expect(await client.get(key)).toBe(before);
    expect(await client.pttl(key)).toBeGreaterThan(0);
    client.disconnect();
  });

  it('takes over a key of another type (a bucket hash of the earlier script) instead of failing', async () => {
    const client = redis.client();
    const bucket = new RedisTokenBucket(client, { capacity: 3, refillPerSecond: 0.001 });
    const key = `${prefix}old-format`;
    await client.hset(key, 'tokens', '0', 'ts', '1');
    expect(await bucket.take(key)).toMatchObject({ success: true, remaining: 2 });
    expect(await client.type(key)).toBe('string');
    expect(await bucket.take(key)).toMatchObject({ success: true, remaining: 1 });
    client.disconnect();
  });

  it('bounds a hung Redis by the command timeout, then stops asking it until it answers again', async () => {
    // Every client's commands wait while the server is paused: the gateway's time out.
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(a, 'paused')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const health = (await (await fetch(`${a.url}/health`)).json()) as {
      backends: { rateLimiterState: string };
    };
    expect(health.backends.rateLimiterState).toBe('degraded');
    await eventually(
      async () => {
        await get(a, 'after-pause');
        const h = (await (await fetch(`${a.url}/health`)).json()) as {
          backends: { rateLimiterState: string };
        };
        return h.backends.rateLimiterState === 'ok';
      },
      10_000,
      100,
    );
  });

  it('keeps serving (open) or answers 503 (closed) while Redis is down, and recovers by itself', async () => {
    await redis.stop();
    // open: the in-process bucket decides, with the same headers.
    const open = await get(a, 'outage');
    expect(open.status).toBe(200);
    expect(open.headers.get('x-rate-limit-remaining')).toBe('9');
    await eventually(async () => {
      const health = (await (await fetch(`${a.url}/health`)).json()) as {
        backends: { rateLimiterState: string };
      };
      return health.backends.rateLimiterState === 'degraded';
    });
    const ready = await fetch(`${a.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      error: 'not_ready',
      checks: { rateLimiter: false, blocklist: true },
    });
    // closed: refused with 503 and a hint when to retry.
    const refused = await get(closed, 'outage');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'rate_limiter_unavailable' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    await redis.start();
    await eventually(async () => (await get(closed, 'recovered')).status === 200, 10_000, 100);
    await eventually(
      async () => {
        await get(a, 'recovered-open');
        return (await admin.exists(`${prefix}USER#recovered-open`)) === 1;
      },
      10_000,
      100,
    );
    expect((await fetch(`${a.url}/ready`)).status).toBe(200);
  });
});
