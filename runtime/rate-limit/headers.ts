// Rate-limit state as response headers: the IETF httpapi draft's structured `RateLimit-Policy` and
// `RateLimit` fields, the widely used `RateLimit-Limit/-Remaining/-Reset`, the original's
// `x-rate-limit-remaining`, and `Retry-After` on refusals (seconds until one token is back).
import type { BucketPolicy, RateLimitDecision } from './decision';

/** Name of the one policy in the structured fields. */
export const RATE_LIMIT_POLICY_NAME = 'per-user';

/** `RateLimit-Policy` is the same on every response: computed once per gateway. */
export function policyHeader(policy: BucketPolicy): string {
  // q: quota (the burst); w: seconds for an empty bucket to refill completely.
  const window = Math.max(1, Math.ceil(policy.capacity / policy.refillPerSecond));
  return `"${RATE_LIMIT_POLICY_NAME}";q=${policy.capacity};w=${window}`;
}

export function rateLimitHeaders(decision: RateLimitDecision, policyValue: string): Record<string, string> {
  const reset = String(Math.ceil(decision.resetMs / 1000));
  const remaining = String(decision.remaining);
  const headers: Record<string, string> = {
    'ratelimit-policy': policyValue,
    ratelimit: `"${RATE_LIMIT_POLICY_NAME}";r=${remaining};t=${reset}`,
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': remaining,
    'ratelimit-reset': reset,
    'x-rate-limit-remaining': remaining,
  };
  if (!decision.success)
    headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}
