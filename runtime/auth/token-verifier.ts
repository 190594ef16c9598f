// Verifies bearer tokens against the configured sources. The token's header picks the source: HS*
// goes to the shared secret, anything else to the static public key or the JWKS (by kid). The
// allowlist is applied first, `none` never passes, and an HS token is never checked with a public key.
import type { webcrypto } from 'node:crypto';
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { JwtAlgorithm } from '../../core/jwt/algorithms';
import { isHmac } from '../../core/jwt/algorithms';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import { AuthFailure, KeysUnavailable, type AuthResult, type Identity } from './auth-failure';
import { JwksCache, type JwksKey } from './jwks-cache';
import { ASYMMETRIC_ALGORITHMS } from './key-algorithms';
import {
  importSecretKeys,
  importStaticPublicKey,
  type KeysByAlgorithm,
  type StaticPublicKey,
} from './static-keys';
import { userIdHeaderValue } from '../proxy/headers';
import { VerifiedTokenCache } from './token-cache';
import { mapJoseError, timeClaimProblem, userIdFrom } from './verify-claims';

type CryptoKey = webcrypto.CryptoKey;

export interface TokenVerifierOptions {
  secret?: string;
  /** The algorithm used with the secret when no allowlist is given. @default 'HS256' */
  secretAlgorithm?: JwtAlgorithm;
  publicKey?: string;
  jwksUrl?: string;
  jwksCacheTtlMs?: number;
  jwksFetchTimeoutMs?: number;
  jwksCooldownMs?: number;
  /** Explicit allowlist; by default derived from the configured keys. */
  algorithms?: JwtAlgorithm[];
  issuer?: string;
  audience?: string;
  clockSkewSeconds?: number;
  userIdClaim?: string;
  requireExp?: boolean;
  /** Verified-token cache entries; 0 disables. @default 10000 */
  cacheSize?: number;
  clock: Clock;
  logger: Logger;
}

export interface TokenVerifier {
  verify(token: string): Promise<AuthResult>;
  /**
   * The identity of a token verified before and still cached, without a promise (the hot path of a
   * client reusing its token); undefined means "call verify()".
   */
  cached?(token: string): AuthResult | undefined;
  /** The effective allowlist (for /health and logs). */
  readonly algorithms: readonly JwtAlgorithm[];
  /** Fetches the JWKS ahead of the first request; never throws. */
  warmUp(): Promise<void>;
}

export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const { clock, logger } = options;
  if (!options.secret && !options.publicKey && !options.jwksUrl) {
    throw new SentinelError(ErrorCode.JwtKeyMissing, 'No JWT verification source is configured', {
      hint: 'set SENTINEL_API_JWT_JWKS_URL, SENTINEL_API_JWT_PUBLIC_KEY or SENTINEL_API_JWT_SECRET_KEY',
    });
  }
  const explicit = options.algorithms?.length ? options.algorithms : undefined;
  const secretAlgorithms = options.secret
    ? (explicit ?? [options.secretAlgorithm ?? 'HS256']).filter(isHmac)
    : [];
  const secretKeys: KeysByAlgorithm = options.secret
    ? await importSecretKeys(options.secret, secretAlgorithms)
    : new Map();
  const staticKey: StaticPublicKey | undefined = options.publicKey
    ? await importStaticPublicKey(options.publicKey, explicit)
    : undefined;
  const jwks = options.jwksUrl
    ? new JwksCache({
        url: options.jwksUrl,
        ttlMs: options.jwksCacheTtlMs ?? 300_000,
        fetchTimeoutMs: options.jwksFetchTimeoutMs ?? 3_000,
        cooldownMs: options.jwksCooldownMs,
        clock,
        logger,
      })
    : undefined;

  const derived = new Set<JwtAlgorithm>([...secretKeys.keys(), ...(staticKey?.keys.keys() ?? [])]);
  if (jwks) for (const alg of ASYMMETRIC_ALGORITHMS) derived.add(alg);
  const algorithms = explicit ?? [...derived];
  if (algorithms.length === 0) {
    throw new SentinelError(
      ErrorCode.JwtAlgorithmUnsupported,
      'No allowed algorithm fits the configured keys',
      {
        hint: 'check SENTINEL_API_JWT_ALGORITHMS against the configured secret, public key or JWKS URL',
      },
    );
  }

  /** The key for a token's header; a JWKS key is also written to `used`, for the token cache. */
  const resolveKey = async (header: JWTHeaderParameters, used: { jwks?: JwksKey }): Promise<CryptoKey> => {
    const alg = header.alg as JwtAlgorithm;
    if (isHmac(alg)) {
      const key = secretKeys.get(alg);
      if (!key) throw new AuthFailure('algorithm_not_allowed', `${alg} has no shared secret configured`);
      return key;
    }
    const useStatic = staticKey && (!jwks || header.kid === undefined || header.kid === staticKey.kid);
    if (useStatic) {
      const key = staticKey.keys.get(alg);
      if (!key) throw new AuthFailure('algorithm_not_allowed', `${alg} does not fit the static public key`);
      return key;
    }
    if (!jwks) throw new AuthFailure('unknown_key', `no key source for ${alg}`);
    used.jwks = await jwks.getKey(header.kid, alg);
    return used.jwks.key;
  };

  const cache = new VerifiedTokenCache(options.cacheSize ?? 10_000);
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockSkewSeconds ?? 30,
    requiredClaims: options.requireExp === false ? [] : ['exp'],
  };

  const check = async (token: string): Promise<AuthResult> => {
    const now = clock.now();
    let payload: JWTPayload;
    let header: JWTHeaderParameters;
    const used: { jwks?: JwksKey } = {};
    try {
      ({ payload, protectedHeader: header } = await jwtVerify(token, (h) => resolveKey(h, used), {
        ...verifyOptions,
        currentDate: new Date(now),
      }));
    } catch (error) {
      if (error instanceof KeysUnavailable) {
        return {
          ok: false,
          reason: 'keys_unavailable',
          message: error.message,
          retryAfterSeconds: error.retryAfterSeconds,
        };
      }
      if (error instanceof AuthFailure) return { ok: false, reason: error.reason, message: error.message };
      if (error instanceof errors.JOSEError) return { ok: false, ...mapJoseError(error) };
      return { ok: false, reason: 'malformed', message: (error as Error).message };
    }
    const timeProblem = timeClaimProblem(payload, now / 1000, verifyOptions.clockTolerance);
    if (timeProblem) return { ok: false, reason: 'bad_time_claim', message: timeProblem };
    const userId = userIdFrom(payload, options.userIdClaim);
    if (!userId.ok) return { ok: false, reason: 'bad_user_id', message: userId.message };
    const identity: Identity = {
      userId: userId.value,
      userIdHeader: userIdHeaderValue(userId.value),
      tokenId: typeof payload.jti === 'string' ? payload.jti : undefined,
      expiresAt: typeof payload.exp === 'number' ? payload.exp : undefined,
      algorithm: header.alg as JwtAlgorithm,
    };
    cache.set(token, identity, now, used.jwks);
    return { ok: true, identity, cached: false };
  };
  // Concurrent requests with the same new token share one verification (a client opening many
  // connections at once would otherwise verify it once per connection).
  const inflight = new Map<string, Promise<AuthResult>>();

  return {
    algorithms,
    async warmUp() {
      if (jwks) await jwks.refresh();
    },
    cached(token) {
      const hit = cache.get(token, clock.now());
      return hit ? { ok: true, identity: hit, cached: true } : undefined;
    },
    verify(token) {
      const hit = cache.get(token, clock.now());
      if (hit) return Promise.resolve({ ok: true, identity: hit, cached: true });
      let pending = inflight.get(token);
      if (!pending) {
        pending = check(token).finally(() => inflight.delete(token));
        inflight.set(token, pending);
      }
      return pending;
    },
  };
}
