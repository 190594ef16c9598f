// Facts about JWS algorithms shared by the gateway's verifier, `jwt mint` and config validation.

/** Every JWS algorithm SentinelAPI can verify or mint; `none` is deliberately absent. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export type AlgorithmFamily = 'hmac' | 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa';

export function algorithmFamily(alg: JwtAlgorithm): AlgorithmFamily {
  if (alg.startsWith('HS')) return 'hmac';
  if (alg.startsWith('RS')) return 'rsa';
  if (alg.startsWith('PS')) return 'rsa-pss';
  if (alg.startsWith('ES')) return 'ecdsa';
  return 'eddsa';
}

export function isHmac(alg: JwtAlgorithm): boolean {
  return algorithmFamily(alg) === 'hmac';
}

/**
 * RFC 7518 section 3.2: an HMAC key must be at least as long as the hash output
 * (32 bytes for HS256, 48 for HS384, 64 for HS512).
 */
export function hmacMinSecretBytes(alg: JwtAlgorithm): number {
  return Number(alg.slice(2)) / 8;
}
