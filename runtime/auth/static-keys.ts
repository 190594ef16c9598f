// Keys known at start-up: the shared secret (HS*) and a static public key (PEM or JWK). Both are
// imported once into WebCrypto CryptoKeys, one per algorithm, so no request re-imports a key.
import { createPublicKey, X509Certificate, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { importJWK, type JWK } from 'jose';
import type { JwtAlgorithm } from '../../core/jwt/algorithms';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { algorithmsForJwk } from './key-algorithms';

export type KeysByAlgorithm = Map<JwtAlgorithm, CryptoKey>;

export async function importSecretKeys(secret: string, algorithms: JwtAlgorithm[]): Promise<KeysByAlgorithm> {
  const bytes = new TextEncoder().encode(secret);
  const keys: KeysByAlgorithm = new Map();
  for (const alg of algorithms) {
    const hash = `SHA-${alg.slice(2)}`;
    const key = await webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash }, false, ['verify']);
    keys.set(alg, key as CryptoKey);
  }
  return keys;
}

export interface StaticPublicKey {
  kid: string | undefined;
  /** Algorithms the key can verify (before the allowlist is applied). */
  compatible: JwtAlgorithm[];
  keys: KeysByAlgorithm;
}

/** The key as a public JWK, whatever form it was configured in. */
export function publicJwkFromText(text: string): JWK {
  try {
    if (text.trimStart().startsWith('{')) return JSON.parse(text) as JWK;
    const pem = text.trim();
    const keyObject = pem.includes('BEGIN CERTIFICATE')
      ? new X509Certificate(pem).publicKey
      : createPublicKey(pem);
    return keyObject.export({ format: 'jwk' }) as JWK;
  } catch (error) {
    throw new SentinelError(ErrorCode.JwtKeyInvalid, 'SENTINEL_API_JWT_PUBLIC_KEY cannot be read as a key', {
      hint: 'use an SPKI PEM ("-----BEGIN PUBLIC KEY-----"), a certificate PEM or a public JWK',
      cause: error,
    });
  }
}

export async function importStaticPublicKey(
  text: string,
  allowlist: readonly JwtAlgorithm[] | undefined,
): Promise<StaticPublicKey> {
  const jwk = publicJwkFromText(text);
  if (jwk.kty === 'oct' || 'd' in jwk) {
    throw new SentinelError(ErrorCode.JwtKeyInvalid, 'SENTINEL_API_JWT_PUBLIC_KEY is not a public key', {
      hint: 'put shared secrets in SENTINEL_API_JWT_SECRET_KEY; the public key must be RSA, EC or OKP',
    });
  }
  const compatible = algorithmsForJwk(jwk);
  if (compatible.length === 0) {
    throw new SentinelError(
      ErrorCode.JwtAlgorithmUnsupported,
      'SENTINEL_API_JWT_PUBLIC_KEY has an unsupported key type',
      {
        hint: 'use an RSA key, an EC key on P-256/P-384/P-521, or an Ed25519 key',
      },
    );
  }
  const keys: KeysByAlgorithm = new Map();
  for (const alg of compatible) {
    if (allowlist && !allowlist.includes(alg)) continue;
    keys.set(alg, (await importJWK({ ...jwk, alg }, alg)) as CryptoKey);
  }
  return { kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, compatible, keys };
}
