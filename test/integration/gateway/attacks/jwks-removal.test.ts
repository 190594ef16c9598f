// Attack: using a token whose signing key the identity provider has removed (a leaked key rotated
// out). The key must stop verifying within the JWKS TTL (the refetch cooldown does not extend it),
// and tokens it verified must leave the verified-token cache as soon as a refetch drops it.
// Asserted at the upstream: after the removal, nothing signed by the key reaches it.
import type { webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../../runtime/lib/clock';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { startJwksServer, type JwksServer } from '../../../helpers/gateway';
import { rawRequest } from '../../../helpers/raw-http';

type Key = webcrypto.CryptoKey;
const clock = manualClock(Date.now());
const keys: Record<string, { privateKey: Key; jwk: JWK }> = {};
const sign = (kid: string, sub: string) =>
  new SignJWT({ sub, exp: Math.floor(clock.now() / 1000) + 3600 })
    .setProtectedHeader({ alg: 'ES256', kid })
    .sign(keys[kid]!.privateKey);

describe('attack: a removed JWKS key', () => {
  let jwks: JwksServer;
  let target: AttackTarget;
  let rotating: AttackTarget;
  const get = (token: string, path: string, on = target) =>
    rawRequest(on.port, 'GET', path, [`Authorization: Bearer ${token}`]);
  const reached = (path: string, on = target) => on.arrived.some((r) => r.url === `/base${path.slice(6)}`);

  beforeAll(async () => {
    for (const kid of ['k1', 'k2', 'k3']) {
      const pair = await generateKeyPair('ES256', { extractable: true });
      keys[kid] = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid } };
    }
    jwks = await startJwksServer([keys.k1!.jwk, keys.k2!.jwk]);
    const env = (ttl: string) => ({
      SENTINEL_API_JWT_SECRET_KEY: undefined,
      SENTINEL_API_JWT_JWKS_URL: jwks.url,
      SENTINEL_API_JWT_JWKS_CACHE_TTL_SECONDS: ttl,
    });
    [target, rotating] = await Promise.all([
      // The cooldown is longer than the TTL: it must not stretch the TTL.
      startAttackTarget({ env: env('10'), overrides: { clock, jwksCooldownMs: 30_000 } }),
      startAttackTarget({ env: env('600'), overrides: { clock, jwksCooldownMs: 1_000 } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([target?.close(), rotating?.close()]);
    await jwks?.stop();
  });

  it('stops honouring a removed key once the TTL has passed, cached tokens included', async () => {
    const leaked = await sign('k2', 'leaky');
    expect((await get(leaked, '/proxy/before')).status).toBe(200);
    expect(reached('/proxy/before')).toBe(true);

    jwks.keys = [keys.k1!.jwk];
    clock.advance(10_001);
    for (const [token, path] of [
      [leaked, '/proxy/cached-after'],
      [await sign('k2', 'fresh'), '/proxy/fresh-after'],
    ] as const) {
      const res = await get(token, path);
      expect(res.status).toBe(401);
      expect(reached(path)).toBe(false);
    }
    expect((await get(await sign('k1', 'kept'), '/proxy/kept')).status).toBe(200);
  });

  it('evicts tokens verified by a key as soon as a refetch drops it, well before the TTL', async () => {
    jwks.keys = [keys.k1!.jwk, keys.k2!.jwk];
    clock.advance(1_001);
    const leaked = await sign('k2', 'leaky-2');
    // The first request may refetch (the other target moved the clock); the second is a cache hit.
    expect((await get(leaked, '/proxy/ok-1', rotating)).status).toBe(200);
    expect((await get(leaked, '/proxy/ok-2', rotating)).status).toBe(200);

    // A rotation adds k3 and drops k2; the first k3 token triggers the refetch (cooldown permitting).
    jwks.keys = [keys.k1!.jwk, keys.k3!.jwk];
    clock.advance(1_001);
    expect((await get(await sign('k3', 'rotated'), '/proxy/rotated', rotating)).status).toBe(200);
    const res = await get(leaked, '/proxy/cached-evicted', rotating);
    expect(res.status).toBe(401);
    expect(reached('/proxy/cached-evicted', rotating)).toBe(false);
  });
});
