// Minting test tokens for the gateway: HS* with the shared secret, asymmetric algorithms with a PEM
// private key. Refuses weak HMAC secrets instead of producing tokens the gateway should reject.
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { JwtAlgorithm } from '../../core/jwt/algorithms';
import { ErrorCode, SentinelError, UsageError } from '../../core/shared/errors';
import { hmacMinSecretBytes, isHmac } from '../../core/jwt/algorithms';

export type SigningKey = { kind: 'secret'; secret: string } | { kind: 'private-key'; pem: string };

export interface MintOptions {
  key: SigningKey;
  /** Default: HS256 family from config for a secret, inferred from the key type for a private key. */
  algorithm?: JwtAlgorithm;
  subject: string;
  ttlSeconds: number;
  issuer?: string;
  audience?: string;
  keyId?: string;
  claims?: Record<string, unknown>;
  /** Epoch ms. @default Date.now() */
  now?: number;
}

/** Claims set by dedicated options; --claim may not override them. */
export const RESERVED_CLAIMS = ['sub', 'iat', 'exp', 'jti', 'iss', 'aud', 'nbf'] as const;

function loadPrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem.replace(/\\n/g, '\n'));
  } catch (error) {
    throw new SentinelError(ErrorCode.JwtKeyInvalid, 'The private key is not a readable PEM private key', {
      hint: 'Pass a PKCS#8 or PKCS#1/SEC1 PEM file (-----BEGIN PRIVATE KEY-----)',
      cause: error,
      exitCode: 2,
    });
  }
}

/** The algorithm a private key naturally signs with. */
export function algorithmForKey(key: KeyObject): JwtAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      // jose (through WebCrypto/JWK) cannot use keys typed id-RSASSA-PSS; a plain RSA key signs PS* fine.
      throw new SentinelError(ErrorCode.JwtAlgorithmUnsupported, 'RSASSA-PSS-typed keys are not supported', {
        hint: 'Use a plain RSA key (BEGIN PRIVATE KEY, rsaEncryption) with --alg PS256/PS384/PS512',
        exitCode: 2,
      });
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
      if (curve === 'secp384r1' || curve === 'P-384') return 'ES384';
      if (curve === 'secp521r1' || curve === 'P-521') return 'ES512';
      break;
    }
    case 'ed25519':
      return 'EdDSA';
  }
  throw new SentinelError(
    ErrorCode.JwtAlgorithmUnsupported,
    `Unsupported private key type ${key.asymmetricKeyType}`,
    {
      hint: 'Use an RSA, RSA-PSS, EC (P-256/384/521) or Ed25519 key',
      exitCode: 2,
    },
  );
}

export function checkHmacSecret(secret: string, algorithm: JwtAlgorithm): Uint8Array {
  const bytes = new TextEncoder().encode(secret);
  const needed = hmacMinSecretBytes(algorithm);
  if (bytes.length < needed) {
    throw new SentinelError(
      ErrorCode.JwtSecretTooShort,
      `The secret is ${bytes.length} bytes; ${algorithm} needs at least ${needed} (RFC 7518 section 3.2: an HMAC key must be at least as long as the hash output)`,
      { hint: 'Use a longer random secret, e.g. `openssl rand -base64 48`', exitCode: 2 },
    );
  }
  return bytes;
}

export async function mintToken(options: MintOptions): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  let algorithm: JwtAlgorithm;
  let signingKey: Uint8Array | KeyObject;
  if (options.key.kind === 'secret') {
    algorithm = options.algorithm ?? 'HS256';
    if (!isHmac(algorithm)) {
      throw new UsageError(`${algorithm} needs a private key, not the shared secret`, {
        code: ErrorCode.JwtAlgorithmUnsupported,
        hint: 'Pass --private-key FILE, or use HS256/HS384/HS512 with the secret',
      });
    }
    signingKey = checkHmacSecret(options.key.secret, algorithm);
  } else {
    signingKey = loadPrivateKey(options.key.pem);
    algorithm = options.algorithm ?? algorithmForKey(signingKey);
    if (isHmac(algorithm)) {
      throw new UsageError(`${algorithm} signs with a shared secret, not a private key`, {
        code: ErrorCode.JwtAlgorithmUnsupported,
        hint: 'Drop --alg to use the key’s own algorithm, or drop --private-key to use the secret',
      });
    }
  }
  for (const claim of Object.keys(options.claims ?? {})) {
    if ((RESERVED_CLAIMS as readonly string[]).includes(claim)) {
      throw new UsageError(`--claim cannot set "${claim}"`, {
        hint: 'Use --sub, --ttl, --issuer or --audience',
      });
    }
  }
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT', ...(options.keyId ? { kid: options.keyId } : {}) })
    .setSubject(options.subject)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .setJti(randomUUID());
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  try {
    return await jwt.sign(signingKey);
  } catch (error) {
    throw new SentinelError(ErrorCode.JwtKeyInvalid, `The key cannot sign ${algorithm} tokens`, {
      hint: 'Check that --alg matches the private key type',
      cause: error,
      exitCode: 2,
    });
  }
}
