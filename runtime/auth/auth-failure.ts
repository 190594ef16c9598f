// Why a token was refused: the precise reason is logged, the client sees only a short generic text
// (telling an attacker which check failed helps them; telling a client its token expired helps it).
import type { JwtAlgorithm } from '../../core/jwt/algorithms';

export type AuthFailureReason =
  | 'missing_token'
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_claim'
  | 'bad_time_claim'
  | 'bad_issuer'
  | 'bad_audience'
  | 'bad_user_id';

export interface Identity {
  /** The canonical user id (core/shared/entity.ts, checkUserId). */
  userId: string;
  /** The id as sent in X-Sentinel-User-Id (percent-encoded outside visible ASCII). */
  userIdHeader: string;
  tokenId: string | undefined;
  /** Epoch seconds, when the token has exp. */
  expiresAt: number | undefined;
  algorithm: JwtAlgorithm;
}

/** A verification outcome is a value: only infrastructure failures (JWKS down) are 503s. */
export type AuthResult =
  | { ok: true; identity: Identity; cached: boolean }
  | { ok: false; reason: AuthFailureReason; message: string }
  | { ok: false; reason: 'keys_unavailable'; message: string; retryAfterSeconds: number };

/** What the client is told. */
export function clientDetail(reason: AuthFailureReason): string {
  if (reason === 'missing_token') return 'Missing bearer token';
  if (reason === 'expired') return 'Token expired';
  return 'Invalid token';
}

/** Thrown inside the key resolver and turned back into a value by the verifier. */
export class AuthFailure extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export class KeysUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
