// Token-bucket arithmetic, pure, in the form of the generic cell rate algorithm (GCRA): a bucket's
// whole state is one number, the time at which it will be full again ("full at"). Tokens are how far
// that lies in the past: a bucket full at `now + d` holds `capacity - d / interval` tokens, where
// `interval` is the time one token takes to come back. Same decisions as a bucket that stores tokens
// and a timestamp, with half the state and half the work in Redis: the Lua script (lua.ts) is
// one GET and one SET of that number, and answers with one integer that outcome() turns into the
// decision. This copy serves the in-process bucket (fallback and `sentinel dev`) and documents the
// rules in a testable form. Times are in microseconds, the resolution of Redis's TIME.
import type { BucketPolicy } from './decision';

export const US_PER_MS = 1000;

/** The policy in the units the algorithm works in. */
export interface BucketTimes {
  /** Time one token takes to come back, µs. */
  interval: number;
  /** Time an empty bucket takes to fill: capacity × interval, µs. */
  burst: number;
}

export function bucketTimes(policy: BucketPolicy): BucketTimes {
  const interval = 1_000_000 / policy.refillPerSecond;
  return { interval, burst: policy.capacity * interval };
}

export interface BucketOutcome {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until `cost` tokens are back (0 when allowed). */
  retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
}

export interface TakeResult extends BucketOutcome {
  /** When the bucket is full again (µs); unchanged when refused: a refused request costs nothing. */
  fullAt: number | undefined;
}

/**
 * The decision's figures. `after`: how long after now the bucket would be full if this request were
 * charged, µs; the request is allowed when that is within one burst (at least `cost` tokens are
 * there), which take() and the Lua script decide.
 */
export function outcome(allowed: boolean, after: number, times: BucketTimes, cost = 1): BucketOutcome {
  const increment = cost * times.interval;
  if (allowed) {
    return {
      allowed: true,
      remaining: Math.floor((times.burst - after) / times.interval),
      retryAfterMs: 0,
      resetMs: Math.ceil(after / US_PER_MS),
    };
  }
  // Refused: the bucket stays as it was, full `after - increment` from now.
  const wait = after - increment;
  return {
    allowed: false,
    remaining: Math.max(0, Math.floor((times.burst - wait) / times.interval)),
    // At least 1 ms: Redis answers in whole µs, which can round a refusal onto the limit.
    retryAfterMs: Math.max(1, Math.ceil((after - times.burst) / US_PER_MS)),
    resetMs: Math.ceil(wait / US_PER_MS),
  };
}

/**
 * When the bucket counts as full again, before this request: never in the past (a bucket full in the
 * past is full now, never over-full), and never more than one burst ahead. A bucket charged under a
 * larger policy (an entity that has just been throttled) can lie further ahead than this policy's
 * burst; it counts as empty under this one, so the entity gets the throttled rate at once instead of
 * waiting out the debt it ran up under the normal policy. (A clock that goes backwards takes tokens
 * back rather than granting any.)
 */
export function effectiveFullAt(fullAt: number | undefined, nowUs: number, times: BucketTimes): number {
  if (fullAt === undefined || fullAt < nowUs) return nowUs;
  return fullAt - nowUs > times.burst ? nowUs + times.burst : fullAt;
}

/** The time until a bucket full at `fullAt` would be full again after charging `cost` tokens now. */
export function chargeDelay(fullAt: number | undefined, nowUs: number, times: BucketTimes, cost = 1): number {
  return effectiveFullAt(fullAt, nowUs, times) - nowUs + cost * times.interval;
}

export function take(fullAt: number | undefined, nowUs: number, times: BucketTimes, cost = 1): TakeResult {
  const start = effectiveFullAt(fullAt, nowUs, times);
  const after = start - nowUs + cost * times.interval;
  const result = outcome(after <= times.burst, after, times, cost);
  // A refusal leaves the bucket as it was, except for the debt beyond one burst, which is forgotten
  // (as the Lua script does), so the refusals end one interval later.
  return { ...result, fullAt: result.allowed ? nowUs + after : fullAt === undefined ? undefined : start };
}

/** Idle time after which a bucket is full again and its state can be forgotten. */
export function idleTtlMs(policy: BucketPolicy): number {
  return Math.ceil((policy.capacity / policy.refillPerSecond) * 1000) + 1000;
}
