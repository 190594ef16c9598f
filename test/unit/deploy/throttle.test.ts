// Retry classification and backoff: what counts as throttling or transient, and how waits grow.
import { describe, expect, it } from 'vitest';
import { virtualClock } from '../../../src/deploy/clock';
import { backoffMs, isRetryableError, isThrottlingError, withRetry } from '../../../src/deploy/throttle';

const named = (name: string, status = 400, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('throttling', () => {
  it('recognises throttling and transient errors by name and status', () => {
    expect(isThrottlingError(named('Throttling'))).toBe(true);
    expect(isThrottlingError(named('ThrottlingException', 400, 'Rate exceeded'))).toBe(true);
    expect(isThrottlingError(named('TooManyRequestsException'))).toBe(true);
    expect(isThrottlingError(named('Whatever', 429))).toBe(true);
    expect(isThrottlingError(named('ValidationError'))).toBe(false);
    expect(isRetryableError(named('InternalFailure', 500))).toBe(true);
    expect(isRetryableError(named('AccessDenied', 403))).toBe(false);
  });

  it('backs off exponentially with a cap', () => {
    expect(backoffMs(1, 1000, 30_000, 0.5)).toBe(1000);
    expect(backoffMs(3, 1000, 30_000, 0.5)).toBe(4000);
    expect(backoffMs(10, 1000, 30_000, 0.5)).toBe(30_000);
  });

  it('retries throttled calls and rethrows other errors at once', async () => {
    const clock = virtualClock();
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw named('Throttling');
        return 'ok';
      },
      { clock },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    const denied = named('AccessDenied', 403);
    await expect(withRetry(async () => Promise.reject(denied), { clock })).rejects.toBe(denied);
  });
});
