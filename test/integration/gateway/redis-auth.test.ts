// Redis with a password (ElastiCache's AUTH token, which the full stack hands the tasks as
// SENTINEL_API_REDIS_AUTH_TOKEN): the built bundle and `sentinel dev` authenticate with it, a gateway
// without it is refused by Redis and says so through its failure mode, and the token is never printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableNames } from '../../../core/shared/table-setup';
import { startDevProcess } from '../../helpers/dev-process';
import { startDynalite, storeEnv, type DynaliteServer } from '../../helpers/dynalite';
import { ensureGatewayBundle, eventually, spawnGatewayBundle, tokenFor } from '../../helpers/gateway';
import { freePort } from '../../helpers/ports';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { redisAvailable } from '../../helpers/services';
import { startUpstream, type Upstream } from '../../helpers/upstream';

const TOKEN = 'aUthT0kenOfSixteenPlusLettersAndDigits42';

describe.runIf(redisAvailable())('gateway bundle against a Redis that requires AUTH', () => {
  let redis: RedisServer;
  let store: DynaliteServer;
  let tables: TableNames;
  let upstream: Upstream;

  const env = (extra: Record<string, string>) => ({
    SENTINEL_API_UPSTREAM_BASE_URL: upstream.url,
    SENTINEL_API_REDIS_URL: redis.url,
    ...storeEnv(store.endpoint, tables),
    SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
    SENTINEL_API_RATE_LIMIT_FAILURE_MODE: 'closed',
    // Every connection error is logged at debug: the place a token would leak, if it could.
    SENTINEL_API_LOG_LEVEL: 'debug',
    ...extra,
  });

  /** Script runs Redis has executed (EVALSHA / EVAL), from its own statistics. */
  async function scriptCalls(): Promise<number> {
    const client = redis.client();
    try {
      const stats = await client.info('commandstats');
      return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    await ensureGatewayBundle();
    [redis, store, upstream] = await Promise.all([
      startRedisServer({ password: TOKEN }),
      startDynalite(),
      startUpstream((_req, res) => res.end('{"ok":true}')),
    ]);
    tables = await store.createTables();
  }, 120_000);
  afterAll(async () => {
    await Promise.all([redis?.stop(), store?.stop(), upstream?.close()]);
  });

  it('limits through Redis with the token', async () => {
    const gw = await spawnGatewayBundle(env({ SENTINEL_API_REDIS_AUTH_TOKEN: TOKEN }), await freePort());
    try {
      await eventually(async () => (await fetch(`${gw.url}/ready`)).status === 200);
      const before = await scriptCalls();
      const headers = { authorization: `Bearer ${await tokenFor('authed-user')}` };
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${gw.url}/proxy/x`, { headers });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-rate-limit-remaining')).toBe(String(100 - 1 - i));
      }
      expect((await scriptCalls()) - before).toBe(3);
      const health = (await (await fetch(`${gw.url}/health`)).json()) as { backends: Record<string, string> };
      expect(health.backends).toMatchObject({ rateLimiter: 'redis', rateLimiterState: 'ok' });
    } finally {
      expect(await gw.stop('SIGTERM')).toBe(0);
    }
    expect(JSON.stringify(gw.lines)).not.toContain(TOKEN);
  });

  it('is honoured by sentinel dev too', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sentinel-dev-auth-'));
    const dev = await startDevProcess(
      cwd,
      ['--port', String(await freePort()), '--detector-interval', '1h'],
      {
        SENTINEL_API_REDIS_URL: redis.url,
        SENTINEL_API_REDIS_AUTH_TOKEN: TOKEN,
      },
    );
    try {
      const health = (await (await fetch(`${dev.state.gatewayUrl}/health`)).json()) as {
        backends: Record<string, string>;
      };
      expect(health.backends).toMatchObject({ rateLimiter: 'redis', rateLimiterState: 'ok' });
      expect((await fetch(`${dev.state.gatewayUrl}/ready`)).status).toBe(200);
    } finally {
      expect(await dev.stop()).toBe(0);
      rmSync(cwd, { recursive: true, force: true });
    }
    expect(dev.stdout() + dev.stderr()).not.toContain(TOKEN);
  });

  it.each([
    ['without a token', {}],
    ['with a wrong token', { SENTINEL_API_REDIS_AUTH_TOKEN: 'wrongTokenWrongTokenWrongToken' }],
  ])('is refused by Redis %s: not ready, and 503 in the closed failure mode', async (_name, extra) => {
    const gw = await spawnGatewayBundle(env(extra), await freePort());
    try {
      const before = await scriptCalls();
      const ready = await fetch(`${gw.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { rateLimiter: false, blocklist: true } });
      const headers = { authorization: `Bearer ${await tokenFor('refused-user')}` };
      const response = await fetch(`${gw.url}/proxy/x`, { headers });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await scriptCalls()).toBe(before);
    } finally {
      expect(await gw.stop('SIGTERM')).toBe(0);
    }
    const refused = gw.lines.find(
      (l) => l.msg === 'Redis refused the connection: wrong or missing AUTH token',
    );
    expect(refused).toMatchObject({ level: 'warn' });
    expect(String(refused!.hint)).toContain('SENTINEL_API_REDIS_AUTH_TOKEN');
    const output = JSON.stringify(gw.lines);
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain('wrongTokenWrongTokenWrongToken');
  });
});
