// Token-bucket arithmetic, pure. The Redis Lua script (lua.ts) implements the same rules on the
// server's clock; this copy serves the in-process bucket (fallback and `sentinel dev`) and documents
// them in a testable form.
import type { BucketPolicy } from './decision';

export interface BucketState {
  tokens: number;
  /** Epoch ms of the last update. */
  updatedAt: number;
}

export interface TakeResult {
  allowed: boolean;
  /** New state; unchanged (same object) when refused: a refused request consumes nothing. */
  state: BucketState;
  remaining: number;
  retryAfterMs: number;
  resetMs: number;
}

/** Tokens after refilling for the time elapsed since the last update, capped at capacity. */
export function refilled(state: BucketState | undefined, nowMs: number, policy: BucketPolicy): number {
  if (!state) return policy.capacity;
  const elapsed = Math.max(0, nowMs - state.updatedAt);
  return Math.min(policy.capacity, state.tokens + (elapsed * policy.refillPerSecond) / 1000);
}

export function take(
  state: BucketState | undefined,
  nowMs: number,
  policy: BucketPolicy,
  cost = 1,
): TakeResult {
  const tokens = refilled(state, nowMs, policy);
  const msPerToken = 1000 / policy.refillPerSecond;
  if (tokens >= cost) {
    const left = tokens - cost;
    return {
      allowed: true,
      state: { tokens: left, updatedAt: nowMs },
      remaining: Math.floor(left),
      retryAfterMs: 0,
      resetMs: Math.ceil((policy.capacity - left) * msPerToken),
    };
  }
  return {
    allowed: false,
    state: state ?? { tokens, updatedAt: nowMs },
    remaining: Math.floor(tokens),
    retryAfterMs: Math.ceil((cost - tokens) * msPerToken),
    resetMs: Math.ceil((policy.capacity - tokens) * msPerToken),
  };
}

/** Idle time after which a bucket is full again and its state can be forgotten. */
export function idleTtlMs(policy: BucketPolicy): number {
  return Math.ceil((policy.capacity / policy.refillPerSecond) * 1000) + 1000;
}
