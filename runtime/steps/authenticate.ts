// The token check of /proxy and /auth/verify: a bearer token verified by the token verifier. A
// refusal is 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750); the precise reason
// goes to the log only. Keys that cannot be fetched are the gateway's problem: 503 with Retry-After.
// A token already verified and cached is answered without a promise.
import type { Context } from 'hono';
import { clientDetail, type AuthResult } from '../auth/auth-failure';
import { bearerCredentials, isCompactJws } from '../auth/bearer';
import type { TokenVerifier } from '../auth/token-verifier';
import { errorResponse } from '../errors';
import type { Logger } from '../lib/logger';
import type { GatewayEnv, ProxyStep, RequestState } from '../request-state';
import { requestHeader } from '../request-state';

/** The realm named in challenges. */
export const AUTH_REALM = 'sentinel';

export interface AuthenticateOptions {
  verifier: TokenVerifier;
  logger: Logger;
}

export function authenticateStep(options: AuthenticateOptions): ProxyStep {
  const { verifier, logger } = options;

  const settle = (c: Context<GatewayEnv>, state: RequestState, result: AuthResult): Response | undefined => {
    if (result.ok) {
      state.userId = result.identity.userId;
      state.identity = result.identity;
      return undefined;
    }
    if (result.reason === 'keys_unavailable') {
      state.decision = 'unavailable';
      logger.warn('token keys unavailable', { requestId: state.requestId, reason: result.message });
      return errorResponse(c, 'auth_unavailable', state.requestId, {
        headers: { 'retry-after': String(result.retryAfterSeconds) },
      });
    }
    state.decision = 'unauthenticated';
    logger.info('token refused', {
      requestId: state.requestId,
      ip: state.clientIp,
      reason: result.reason,
      message: result.message,
    });
    // RFC 6750 section 3.1: a request without credentials gets a challenge without an error code.
    const challenge =
      result.reason === 'missing_token'
        ? `Bearer realm="${AUTH_REALM}"`
        : `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${clientDetail(result.reason)}"`;
    return errorResponse(c, 'invalid_token', state.requestId, {
      detail: clientDetail(result.reason),
      headers: { 'www-authenticate': challenge },
    });
  };

  return function sentinelAuthenticate(c, state) {
    const token = bearerCredentials(requestHeader(c.env, c.req.raw, 'authorization'));
    if (token === undefined) {
      return settle(c, state, { ok: false, reason: 'missing_token', message: 'missing_token' });
    }
    // Looked up before the shape check: a cached token passed it when it was verified.
    const hit = verifier.cached?.(token);
    if (hit) return settle(c, state, hit);
    if (!isCompactJws(token))
      return settle(c, state, { ok: false, reason: 'malformed', message: 'malformed' });
    return verifier.verify(token).then((result) => settle(c, state, result));
  };
}
