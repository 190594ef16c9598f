// Which JWS algorithms a public key may verify, from its type and curve. Used to derive the default
// allowlist and to refuse pairing a key with an algorithm of another family (algorithm confusion).
import type { JWK } from 'jose';
import type { JwtAlgorithm } from '../../core/jwt/algorithms';
import { JWT_ALGORITHMS } from '../../core/jwt/algorithms';
import { isHmac } from '../../core/jwt/algorithms';

const RSA: JwtAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_BY_CURVE: Record<string, JwtAlgorithm> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

export const ASYMMETRIC_ALGORITHMS: readonly JwtAlgorithm[] = JWT_ALGORITHMS.filter((a) => !isHmac(a));

/** Algorithms a public JWK can verify; empty for symmetric or unknown keys, which are never used. */
export function algorithmsForJwk(jwk: JWK): JwtAlgorithm[] {
  let candidates: JwtAlgorithm[] = [];
  if (jwk.kty === 'RSA') candidates = RSA;
  else if (jwk.kty === 'EC' && jwk.crv && EC_BY_CURVE[jwk.crv]) candidates = [EC_BY_CURVE[jwk.crv]!];
  else if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') candidates = ['EdDSA'];
  // A key that names its algorithm may only be used with that one (RFC 7517 section 4.4).
  if (typeof jwk.alg === 'string') return candidates.filter((a) => a === jwk.alg);
  return candidates;
}

/** A JWK usable for signature verification: public, not marked for encryption only. */
export function isVerificationJwk(jwk: JWK): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
  return 'd' in jwk === false && algorithmsForJwk(jwk).length > 0;
}
