// Step 5 of /proxy: one token from the user's bucket. The decision's state goes on the response
// either way; a refusal is 429 with Retry-After, or 503 when Redis is down in failure mode `closed`.
// A throttled user or client IP (noted by the blocklist steps) takes its token under the throttled
// policy (throttle.ts), still in one Redis command, and a refusal then says `throttled` and shows
// that policy in its headers.
import { userEntity } from '../../core/shared/entity';
import { rateLimitKey } from '../../core/shared/redis-keys';
import { errorResponse } from '../errors';
import type { BucketPolicy, RateLimitDecision, RateLimiter } from '../rate-limit/decision';
import {
  rateLimitHeaders,
  THROTTLE_POLICY_NAME,
  type RateLimitHeaderStyle,
  type RateLimitHeaders,
} from '../rate-limit/headers';
import { throttledBucket } from '../rate-limit/throttle';
import type { ProxyStep, RequestState } from '../request-state';

export interface RateLimitOptions {
  limiter: RateLimiter;
  policy: BucketPolicy;
  /** Header styles on answers the limiter decided. */
  headerStyles: readonly RateLimitHeaderStyle[];
  /** Redis key prefix (tests give each run its own). */
  keyPrefix?: string;
}

/** Throttle levels whose header builders are kept (few levels exist at a time). */
const MAX_THROTTLE_HEADER_BUILDERS = 256;

export function rateLimit(options: RateLimitOptions): ProxyStep {
  const headersOf = rateLimitHeaders(options.policy, options.headerStyles);
  const throttleHeaders = new Map<string, RateLimitHeaders>();
  const throttledHeadersOf = (policy: BucketPolicy): RateLimitHeaders => {
    const id = `${policy.capacity}/${policy.refillPerSecond}`;
    let build = throttleHeaders.get(id);
    if (!build) {
      if (throttleHeaders.size >= MAX_THROTTLE_HEADER_BUILDERS) throttleHeaders.clear();
      build = rateLimitHeaders(policy, options.headerStyles, THROTTLE_POLICY_NAME);
      throttleHeaders.set(id, build);
    }
    return build;
  };

  return async function sentinelRateLimit(c, state) {
    const throttled =
      state.userThrottle || state.ipThrottle
        ? throttledBucket(options.policy, userEntity(state.userId!), state.userThrottle, state.ipThrottle)
        : undefined;
    const decision = throttled
      ? await options.limiter.limit(rateLimitKey(throttled.entity, options.keyPrefix), throttled.policy)
      : await options.limiter.limit(rateLimitKey(userEntity(state.userId!), options.keyPrefix));
    state.remaining = decision.remaining;
    if (decision.reason === 'unavailable') return unavailable(c, state, decision);
    const headers = throttled ? throttledHeadersOf(throttled.policy)(decision) : headersOf(decision);
    if (!decision.success) {
      state.decision = 'limited';
      if (!throttled) return errorResponse(c, 'rate_limited', state.requestId, { headers });
      return errorResponse(c, 'throttled', state.requestId, {
        headers,
        ...(throttled.publicReason ? { extra: { reason: throttled.publicReason } } : {}),
      });
    }
    state.responseHeaders = headers;
    return undefined;
  };
}

function unavailable(c: Parameters<ProxyStep>[0], state: RequestState, decision: RateLimitDecision) {
  state.decision = 'unavailable';
  return errorResponse(c, 'rate_limiter_unavailable', state.requestId, {
    headers: { 'retry-after': String(Math.ceil(decision.retryAfterMs / 1000)) },
  });
}
