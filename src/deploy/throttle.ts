// Throttling and transient AWS failures: recognised by name and retried with capped exponential
// backoff. The AWS client adapter (aws-clients.ts) is the one place that retries, with RETRY_BUDGET.
import type { Clock } from './clock';

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
]);

const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'ServiceUnavailable', 'InternalFailure']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED', 'EPIPE']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function isThrottlingError(error: unknown): boolean {
  const e = error as AwsLikeError | undefined;
  if (!e) return false;
  if (e.name && THROTTLING_NAMES.has(e.name)) return true;
  if (e.$metadata?.httpStatusCode === 429) return true;
  return /rate exceeded/i.test(e.message ?? '');
}

/** Worth another try: throttling, a 5xx, or a dropped connection. */
export function isRetryableError(error: unknown): boolean {
  if (isThrottlingError(error)) return true;
  const e = error as AwsLikeError | undefined;
  if (!e) return false;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** Doubles from `baseMs` per consecutive failure, capped, with jitter so callers spread out. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.75 + 0.5 * random));
}

/**
 * Per AWS operation: at most 5 attempts, waiting about 1, 2, 4 and 8 s between them (each ±25%
 * jitter), so at most 5 requests and under 19 s of waiting before the error is thrown.
 */
export const RETRY_BUDGET = { maxAttempts: 5, baseMs: 1000, maxMs: 8000 } as const;

export interface RetryOptions {
  clock: Clock;
  /** @default RETRY_BUDGET.baseMs */
  baseMs?: number;
  /** @default RETRY_BUDGET.maxMs */
  maxMs?: number;
  /** Attempts in all, the first included. @default RETRY_BUDGET.maxAttempts */
  maxAttempts?: number;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

/** Runs `call`, retrying retryable errors; other errors, and the last retryable one, are rethrown. */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const {
    clock,
    baseMs = RETRY_BUDGET.baseMs,
    maxMs = RETRY_BUDGET.maxMs,
    maxAttempts = RETRY_BUDGET.maxAttempts,
  } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryableError(error) || attempt >= maxAttempts || options.signal?.aborted) throw error;
      const wait = backoffMs(attempt, baseMs, maxMs, clock.random());
      options.onRetry?.(error, attempt, wait);
      await clock.sleep(wait, options.signal);
    }
  }
}

/** For clean-up calls whose failure must not mask the outcome being reported. */
export async function bestEffort(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch {
    // Deliberately ignored: see above.
  }
}
