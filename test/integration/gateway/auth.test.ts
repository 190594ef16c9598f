// JWT authentication through the app, against a real JWKS server on loopback: every refusal is a 401
// with an RFC 6750 challenge (or a 503 when keys cannot be fetched), never a 500.
import type { webcrypto } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBlocklist } from '../../../runtime/blocklist/blocklist';
import { createGateway, type Gateway } from '../../../runtime/gateway';
import { manualClock, type ManualClock } from '../../../runtime/lib/clock';
import { memoryLineSink } from '../../../runtime/lib/line-writer';
import { silentLogger } from '../../../runtime/lib/logger';
import {
  gatewayConfig,
  signHs256,
  startJwksServer,
  TEST_SECRET,
  type JwksServer,
} from '../../helpers/gateway';

type Key = webcrypto.CryptoKey;
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const nowSec = NOW / 1000;

async function gatewayWith(
  env: Record<string, string | undefined>,
  clock: ManualClock,
  extra = {},
): Promise<Gateway> {
  return createGateway(gatewayConfig({ SENTINEL_API_UPSTREAM_BASE_URL: 'http://127.0.0.1:9', ...env }), {
    clock,
    lines: memoryLineSink(),
    logger: silentLogger,
    blocklist: staticBlocklist([]),
    ...extra,
  });
}

async function verify(gateway: Gateway, authorization: string | undefined) {
  const res = await gateway.app.request('/auth/verify', {
    headers: authorization === undefined ? {} : { authorization },
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, challenge: res.headers.get('www-authenticate'), res };
}

async function sign(key: Key, alg: string, claims: JWTPayload, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(key);
}

describe('shared secret (HS256)', () => {
  const clock = manualClock(NOW);
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await gatewayWith(
      { SENTINEL_API_JWT_ISSUER: 'https://issuer.test', SENTINEL_API_JWT_AUDIENCE: 'api' },
      clock,
    );
  });
  afterAll(() => gateway.stop());
  const good = { sub: 'alice', jti: 't-1', iss: 'https://issuer.test', aud: 'api', exp: nowSec + 3600 };

  it('accepts a valid token and reports user, token id and expiry', async () => {
    const { status, body } = await verify(gateway, `Bearer ${await signHs256(good)}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      authenticated: true,
      userId: 'alice',
      tokenId: 't-1',
      expiresAt: new Date((nowSec + 3600) * 1000).toISOString(),
    });
  });

  it('takes the user id from user_id when sub is absent', async () => {
    const { sub: _sub, ...rest } = good;
    const { body } = await verify(gateway, `Bearer ${await signHs256({ ...rest, user_id: 'bob' })}`);
    expect(body.userId).toBe('bob');
  });

  const refusals: Array<[string, JWTPayload, string]> = [
    ['expired beyond the skew', { ...good, exp: nowSec - 31 }, 'Token expired'],
    ['not yet valid', { ...good, nbf: nowSec + 120 }, 'Invalid token'],
    ['wrong issuer', { ...good, iss: 'https://evil.test' }, 'Invalid token'],
    ['wrong audience', { ...good, aud: 'other' }, 'Invalid token'],
    ['no exp', { sub: 'alice', iss: good.iss, aud: good.aud }, 'Invalid token'],
    ['no user id', { iss: good.iss, aud: good.aud, exp: good.exp }, 'Invalid token'],
  ];
  for (const [name, claims, detail] of refusals) {
    it(`refuses a token with ${name}`, async () => {
      const { status, body, challenge } = await verify(gateway, `Bearer ${await signHs256(claims)}`);
      expect(status).toBe(401);
      expect(body).toMatchObject({ error: 'invalid_token', detail });
      expect(typeof body.requestId).toBe('string');
      expect(challenge).toContain('error="invalid_token"');
    });
  }

  it('accepts a token expired by less than the clock skew', async () => {
    const { status } = await verify(gateway, `Bearer ${await signHs256({ ...good, exp: nowSec - 10 })}`);
    expect(status).toBe(200);
  });

  it('refuses alg none, a tampered signature and a tampered payload', async () => {
    const token = await signHs256(good);
    const [h, p, s] = token.split('.') as [string, string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    const forged = Buffer.from(JSON.stringify({ ...good, sub: 'admin' })).toString('base64url');
    for (const bad of [none, `${h}.${p}.${flipped}`, `${h}.${forged}.${s}`]) {
      const { status, body } = await verify(gateway, `Bearer ${bad}`);
      expect(status).toBe(401);
      expect(body.error).toBe('invalid_token');
    }
  });

  it('refuses malformed tokens of many shapes with 401, never 500', async () => {
    const b64 = (v: unknown) =>
      Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
    const shapes = [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'bearer a.b',
      'Bearer a.b.c.d',
      'Bearer ...',
      'Bearer not a token',
      `Bearer ${'a'.repeat(9000)}.b.c`,
      `Bearer ${b64('not json')}.${b64({ sub: 'x' })}.sig`,
      `Bearer ${b64({ alg: 'HS256' })}.${b64('not json')}.sig`,
      `Bearer ${b64({ alg: 'HS256' })}.${b64([1, 2])}.sig`,
      `Bearer ${b64({ alg: 'HS256', crit: ['x'] })}.${b64({ sub: 'x', exp: nowSec + 60 })}.sig`,
      `Bearer ${b64({ alg: 'XS999' })}.${b64({ sub: 'x' })}.sig`,
      `Bearer ${b64({})}.${b64({ sub: 'x' })}.sig`,
      'Bearer é.é.é',
    ];
    for (const authorization of shapes) {
      const { status, body } = await verify(gateway, authorization);
      expect(status, authorization.slice(0, 60)).toBe(401);
      expect(body.error).toBe('invalid_token');
    }
    const missing = await verify(gateway, undefined);
    expect(missing.status).toBe(401);
    expect(missing.challenge).toBe('Bearer realm="sentinel"');
  });

  it('caches a verified token but never past its exp', async () => {
    const token = await signHs256({ ...good, exp: nowSec + 60 });
    const verifier = gateway.deps.verifier;
    expect((await verifier.verify(token)).ok).toBe(true);
    const again = await verifier.verify(token);
    expect(again.ok && again.cached).toBe(true);
    clock.advance(91_000); // past exp + 30 s skew
    const late = await verifier.verify(token);
    expect(late).toMatchObject({ ok: false, reason: 'expired' });
    clock.set(NOW);
  });

  it('refuses a token whose algorithm is outside an explicit allowlist', async () => {
    const strict = await gatewayWith(
      { SENTINEL_API_JWT_ALGORITHMS: 'HS512', SENTINEL_API_JWT_SECRET_KEY: TEST_SECRET + TEST_SECRET },
      clock,
    );
    const { status } = await verify(
      strict,
      `Bearer ${await signHs256(good, { secret: TEST_SECRET + TEST_SECRET })}`,
    );
    expect(status).toBe(401);
    await strict.stop();
  });
});

describe('static public key', () => {
  const clock = manualClock(NOW);
  let rsa: { publicKey: Key; privateKey: Key };
  let pem: string;
  let gateway: Gateway;
  beforeAll(async () => {
    rsa = (await generateKeyPair('RS256', { extractable: true })) as typeof rsa;
    pem = await exportSPKI(rsa.publicKey);
    gateway = await gatewayWith(
      { SENTINEL_API_JWT_SECRET_KEY: undefined, SENTINEL_API_JWT_PUBLIC_KEY: pem },
      clock,
    );
  });
  afterAll(() => gateway.stop());

  it('verifies RS256 and PS256 tokens with a PEM key', async () => {
    const privateJwk = await exportJWK(rsa.privateKey);
    for (const alg of ['RS256', 'PS256']) {
      const key = (await importJWK(privateJwk, alg)) as Key;
      const token = await sign(key, alg, { sub: 'carol', exp: nowSec + 60 });
      expect((await verify(gateway, `Bearer ${token}`)).status).toBe(200);
    }
  });

  it('never verifies an HS token with the public key (algorithm confusion)', async () => {
    const token = await signHs256({ sub: 'mallory', exp: nowSec + 60 }, { secret: pem });
    const { status, body } = await verify(gateway, `Bearer ${token}`);
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_token');
  });

  it('verifies ES256 and EdDSA keys given as JWK', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const pair = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(pair.publicKey);
      const gw = await gatewayWith(
        { SENTINEL_API_JWT_SECRET_KEY: undefined, SENTINEL_API_JWT_PUBLIC_KEY: JSON.stringify(jwk) },
        clock,
      );
      const token = await sign(pair.privateKey, alg, { sub: 'dave', exp: nowSec + 60 });
      expect((await verify(gw, `Bearer ${token}`)).status, alg).toBe(200);
      await gw.stop();
    }
  });
});

describe('JWKS', () => {
  const clock = manualClock(NOW);
  let jwks: JwksServer;
  let gateway: Gateway;
  const pairs: Record<string, { privateKey: Key; jwk: JWK }> = {};
  const tokenWith = (kid: string, sub = 'erin') =>
    sign(pairs[kid]!.privateKey, 'RS256', { sub, exp: nowSec + 3600 }, { kid });

  beforeAll(async () => {
    for (const kid of ['k1', 'k2', 'k3']) {
      const pair = await generateKeyPair('RS256', { extractable: true });
      pairs[kid] = {
        privateKey: pair.privateKey as Key,
        jwk: { ...(await exportJWK(pair.publicKey)), kid, use: 'sig' },
      };
    }
    jwks = await startJwksServer([pairs.k1!.jwk]);
    gateway = await gatewayWith(
      {
        SENTINEL_API_JWT_SECRET_KEY: undefined,
        SENTINEL_API_JWT_JWKS_URL: jwks.url,
        SENTINEL_API_JWT_JWKS_CACHE_TTL_SECONDS: '60',
        SENTINEL_API_JWT_JWKS_FETCH_TIMEOUT_SECONDS: '1',
      },
      clock,
      { jwksCooldownMs: 10_000 },
    );
  });
  afterAll(async () => {
    await gateway.stop();
    await jwks.stop();
  });

  it('verifies with the key chosen by kid, fetching the set once', async () => {
    expect((await verify(gateway, `Bearer ${await tokenWith('k1')}`)).status).toBe(200);
    expect((await verify(gateway, `Bearer ${await tokenWith('k1', 'frank')}`)).status).toBe(200);
    expect(jwks.fetches()).toBe(1);
  });

  it('refetches once for an unknown kid (rotation), then rate-limits refetches', async () => {
    jwks.keys = [pairs.k1!.jwk, pairs.k2!.jwk];
    clock.advance(10_000);
    expect((await verify(gateway, `Bearer ${await tokenWith('k2')}`)).status).toBe(200);
    expect(jwks.fetches()).toBe(2);
    // k3 is unknown and the cooldown has not passed: refused without another fetch.
    const unknown = await verify(gateway, `Bearer ${await tokenWith('k3')}`);
    expect(unknown.status).toBe(401);
    expect((await verify(gateway, `Bearer ${await tokenWith('k3', 'x')}`)).status).toBe(401);
    expect(jwks.fetches()).toBe(2);
  });

  it('keeps serving cached keys while the endpoint is down, and answers 503 for keys it cannot get', async () => {
    await jwks.stop();
    clock.advance(120_000); // past the cache TTL and the cooldown
    expect((await verify(gateway, `Bearer ${await tokenWith('k1', 'grace')}`)).status).toBe(200);
    const down = await verify(gateway, `Bearer ${await tokenWith('k3', 'heidi')}`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: 'auth_unavailable' });
    expect(Number(down.res.headers.get('retry-after'))).toBeGreaterThan(0);
    await jwks.start();
  });
});
