// Rate-limit state as response headers, in the styles configured (SENTINEL_API_RATE_LIMIT_HEADERS):
// `legacy`, the original's `X-Rate-Limit-Remaining`; `ietf`, the structured `RateLimit-Policy` and
// `RateLimit` fields of the IETF httpapi draft; `draft-6`, the `RateLimit-Limit/-Remaining/-Reset`
// of its earlier revisions, which many clients read. `Retry-After` on every refusal (seconds until a
// token is back), whatever the styles. A throttled entity's answers describe its throttle, under the
// policy name `throttled`, so a client can pace itself to the limit that applies to it.
//
// Only `legacy` by default: every header is built here, then validated and serialised by node on
// every response, a cost each deployment should opt into (docs/performance.md), and `legacy` is the
// one that clients of the original read.
import type { Config } from '../../core/config/schema';
import type { BucketPolicy, RateLimitDecision } from './decision';

export type RateLimitHeaderStyle = Config['rateLimitHeaders'][number];

/** The headers each style sends on every decided answer (Retry-After aside). */
export const RATE_LIMIT_HEADER_NAMES: Record<RateLimitHeaderStyle, readonly string[]> = {
  legacy: ['x-rate-limit-remaining'],
  ietf: ['ratelimit-policy', 'ratelimit'],
  'draft-6': ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
  none: [],
};

/** Name of the normal policy in the structured fields. */
export const RATE_LIMIT_POLICY_NAME = 'per-user';
/** Name of a throttle's policy in the structured fields. */
export const THROTTLE_POLICY_NAME = 'throttled';

/** `RateLimit-Policy` is the same on every response of a policy: computed once per policy. */
export function policyHeader(policy: BucketPolicy, name: string = RATE_LIMIT_POLICY_NAME): string {
  // q: quota (the burst); w: seconds for an empty bucket to refill completely.
  const window = Math.max(1, Math.ceil(policy.capacity / policy.refillPerSecond));
  return `"${name}";q=${policy.capacity};w=${window}`;
}

export type RateLimitHeaders = (decision: RateLimitDecision) => Record<string, string>;

/** The headers of a decision in the given styles, as one function chosen once per gateway. */
export function rateLimitHeaders(
  policy: BucketPolicy,
  styles: readonly RateLimitHeaderStyle[],
  name: string = RATE_LIMIT_POLICY_NAME,
): RateLimitHeaders {
  const legacy = styles.includes('legacy');
  const ietf = styles.includes('ietf');
  const draft6 = styles.includes('draft-6');
  const policyValue = policyHeader(policy, name);
  return (decision) => {
    const headers: Record<string, string> = {};
    const remaining = String(decision.remaining);
    if (ietf || draft6) {
      const reset = String(Math.ceil(decision.resetMs / 1000));
      if (ietf) {
        headers['ratelimit-policy'] = policyValue;
        headers.ratelimit = `"${name}";r=${remaining};t=${reset}`;
      }
      if (draft6) {
        headers['ratelimit-limit'] = String(decision.limit);
        headers['ratelimit-remaining'] = remaining;
        headers['ratelimit-reset'] = reset;
      }
    }
    if (legacy) headers['x-rate-limit-remaining'] = remaining;
    if (!decision.success) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
    }
    return headers;
  };
}
