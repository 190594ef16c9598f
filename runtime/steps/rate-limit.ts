// Step 5 of /proxy: one token from the user's bucket. The decision's state goes on the response
// either way; a refusal is 429 with Retry-After, or 503 when Redis is down in failure mode `closed`.
import { rateLimitKey } from '../../core/shared/redis-keys';
import { errorResponse } from '../errors';
import type { BucketPolicy, RateLimiter } from '../rate-limit/decision';
import { rateLimitHeaders, type RateLimitHeaderStyle } from '../rate-limit/headers';
import type { ProxyStep } from '../request-state';

export interface RateLimitOptions {
  limiter: RateLimiter;
  policy: BucketPolicy;
  /** Header styles on answers the limiter decided. */
  headerStyles: readonly RateLimitHeaderStyle[];
  /** Redis key prefix (tests give each run its own). */
  keyPrefix?: string;
}

export function rateLimit(options: RateLimitOptions): ProxyStep {
  const headersOf = rateLimitHeaders(options.policy, options.headerStyles);
  return async function sentinelRateLimit(c, state) {
    const decision = await options.limiter.limit(
      rateLimitKey({ kind: 'user', id: state.userId! }, options.keyPrefix),
    );
    state.remaining = decision.remaining;
    if (decision.reason === 'unavailable') {
      state.decision = 'unavailable';
      return errorResponse(c, 'rate_limiter_unavailable', state.requestId, {
        headers: { 'retry-after': String(Math.ceil(decision.retryAfterMs / 1000)) },
      });
    }
    const headers = headersOf(decision);
    if (!decision.success) {
      state.decision = 'limited';
      return errorResponse(c, 'rate_limited', state.requestId, { headers });
    }
    state.responseHeaders = headers;
    return undefined;
  };
}
