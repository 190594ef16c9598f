import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { JwtAlgorithm } from '../../../core/jwt/algorithms';
import { mintToken } from '../../../src/jwt/mint';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const secretFor = (bytes: number) => 's'.repeat(bytes);

function pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

const asymmetric: Array<
  [string, () => { publicKey: KeyObject; privateKey: KeyObject }, JwtAlgorithm, JwtAlgorithm?]
> = [
  ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'RS256'],
  ['RSA with RS512', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'RS512', 'RS512'],
  ['RSA as PS384', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'PS384', 'PS384'],
  ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'ES256'],
  ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'ES384'],
  ['EC P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }), 'ES512'],
  ['Ed25519', () => generateKeyPairSync('ed25519'), 'EdDSA'],
];

describe('mintToken', () => {
  it.each(['HS256', 'HS384', 'HS512'] as const)(
    'signs %s tokens jose verifies, with the standard claims',
    async (alg) => {
      const secret = secretFor(Number(alg.slice(2)) / 8);
      const token = await mintToken({
        key: { kind: 'secret', secret },
        algorithm: alg,
        subject: 'alice',
        ttlSeconds: 3600,
        issuer: 'https://issuer.test',
        audience: 'my-api',
        claims: { role: 'admin', scopes: ['read'] },
        now: NOW,
      });
      const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: [alg],
        issuer: 'https://issuer.test',
        audience: 'my-api',
        currentDate: new Date(NOW + 1000),
      });
      expect(protectedHeader.alg).toBe(alg);
      expect(payload).toMatchObject({
        sub: 'alice',
        role: 'admin',
        scopes: ['read'],
        iat: NOW / 1000,
        exp: NOW / 1000 + 3600,
      });
      expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it.each(asymmetric)('signs with a %s private key', async (_name, generate, expected, explicit) => {
    const { publicKey, privateKey } = generate();
    const token = await mintToken({
      key: { kind: 'private-key', pem: pem(privateKey) },
      algorithm: explicit,
      subject: 'bob',
      ttlSeconds: 60,
      keyId: 'key-1',
      now: NOW,
    });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: expected, kid: 'key-1' });
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: [expected],
      currentDate: new Date(NOW),
    });
    expect(payload.sub).toBe('bob');
  });

  it('refuses an HMAC secret shorter than the hash (RFC 7518 3.2)', async () => {
    await expect(
      mintToken({
        key: { kind: 'secret', secret: secretFor(47) },
        algorithm: 'HS384',
        subject: 'a',
        ttlSeconds: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_SECRET_TOO_SHORT', exitCode: 2 });
  });

  it('refuses mismatched key kinds and algorithms', async () => {
    await expect(
      mintToken({
        key: { kind: 'secret', secret: secretFor(64) },
        algorithm: 'RS256',
        subject: 'a',
        ttlSeconds: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_ALGORITHM_UNSUPPORTED' });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(
      mintToken({
        key: { kind: 'private-key', pem: pem(privateKey) },
        algorithm: 'HS256',
        subject: 'a',
        ttlSeconds: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_ALGORITHM_UNSUPPORTED' });
    await expect(
      mintToken({
        key: { kind: 'private-key', pem: pem(privateKey) },
        algorithm: 'RS256',
        subject: 'a',
        ttlSeconds: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_KEY_INVALID' });
    await expect(
      mintToken({ key: { kind: 'private-key', pem: 'not a key' }, subject: 'a', ttlSeconds: 1 }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_KEY_INVALID' });
  });

  it('explains that RSASSA-PSS-typed keys need to be plain RSA keys', async () => {
    const { privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    await expect(
      mintToken({ key: { kind: 'private-key', pem: pem(privateKey) }, subject: 'a', ttlSeconds: 1 }),
    ).rejects.toMatchObject({
      code: 'ERR_JWT_ALGORITHM_UNSUPPORTED',
      hint: expect.stringContaining('PS256'),
    });
  });

  it('does not let extra claims override the standard ones', async () => {
    await expect(
      mintToken({
        key: { kind: 'secret', secret: secretFor(32) },
        subject: 'a',
        ttlSeconds: 1,
        claims: { exp: 1 },
      }),
    ).rejects.toMatchObject({ code: 'ERR_USAGE' });
  });
});
