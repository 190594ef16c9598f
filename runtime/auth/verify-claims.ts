// Pure helpers of the verifier: which claim holds the user id, and what a jose error code means for
// the client (a precise reason is logged; see auth-failure.ts for what the client sees).
import type { JWTPayload } from 'jose';
import { errors } from 'jose';
import { checkUserId, describeUserIdProblem } from '../../core/shared/entity';
import type { AuthFailureReason } from './auth-failure';

export function userIdFrom(
  payload: JWTPayload,
  claim: string | undefined,
): { ok: true; value: string } | { ok: false; message: string } {
  const names = claim ? [claim] : ['sub', 'user_id'];
  for (const name of names) {
    const raw = payload[name];
    if (raw === undefined || raw === null || raw === '') continue;
    const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
    if (typeof value !== 'string') return { ok: false, message: `claim ${name} is not a string` };
    const checked = checkUserId(value);
    if (!checked.ok) {
      return { ok: false, message: `claim ${name} ${describeUserIdProblem(checked.problem)}` };
    }
    return { ok: true, value };
  }
  return { ok: false, message: `token has no ${names.join(' or ')} claim` };
}

/** Latest time claim accepted: 9999-12-31T23:59:59Z, the last second a Date can print as ISO. */
export const MAX_TIME_CLAIM = 253_402_300_799;

/**
 * What is wrong with the token's exp, nbf and iat, if anything: each present one must be a finite
 * number of seconds between 0 and MAX_TIME_CLAIM, and iat may not be further in the future than the
 * clock skew (a token issued "later" is forged or comes from a broken clock).
 */
export function timeClaimProblem(
  payload: JWTPayload,
  nowSeconds: number,
  skewSeconds: number,
): string | undefined {
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    const value = payload[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIME_CLAIM) {
      return `claim ${name} is not a time in range`;
    }
  }
  if (payload.iat !== undefined && payload.iat > nowSeconds + skewSeconds) {
    return 'claim iat is in the future';
  }
  return undefined;
}

export function mapJoseError(error: errors.JOSEError): { reason: AuthFailureReason; message: string } {
  const message = `${error.code}: ${error.message}`;
  if (error instanceof errors.JWTExpired) return { reason: 'expired', message };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return { reason: 'not_yet_valid', message };
    if (error.claim === 'iss') return { reason: 'bad_issuer', message };
    if (error.claim === 'aud') return { reason: 'bad_audience', message };
    return { reason: error.reason === 'missing' ? 'missing_claim' : 'malformed', message };
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return { reason: 'algorithm_not_allowed', message };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return { reason: 'bad_signature', message };
  return { reason: 'malformed', message };
}
