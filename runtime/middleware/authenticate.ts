// Step 3 of /proxy (and all of /auth/verify): a bearer token verified by the token verifier. A
// refusal is 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750); the precise reason
// goes to the log only. Keys that cannot be fetched are the gateway's problem: 503 with Retry-After.
import type { MiddlewareHandler } from 'hono';
import { clientDetail } from '../auth/auth-failure';
import { parseBearer } from '../auth/bearer';
import type { TokenVerifier } from '../auth/token-verifier';
import { errorResponse } from '../errors';
import type { Logger } from '../lib/logger';
import type { GatewayEnv } from '../request-state';
import { requestHeader } from '../request-state';

/** The realm named in challenges. */
export const AUTH_REALM = 'sentinel';

export interface AuthenticateOptions {
  verifier: TokenVerifier;
  logger: Logger;
}

export function authenticate(options: AuthenticateOptions): MiddlewareHandler<GatewayEnv> {
  const { verifier, logger } = options;
  return async function sentinelAuthenticate(c, next) {
    const state = c.get('state');
    const bearer = parseBearer(requestHeader(c.env, c.req.raw, 'authorization'));
    const result = bearer.ok
      ? await verifier.verify(bearer.token)
      : ({ ok: false, reason: bearer.reason, message: bearer.reason } as const);
    if (result.ok) {
      state.userId = result.identity.userId;
      state.identity = result.identity;
      await next();
      return;
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
}
