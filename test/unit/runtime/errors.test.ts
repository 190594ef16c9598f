// The one mapping from failures to HTTP responses.
import { describe, expect, it } from 'vitest';
import { ErrorCode, SentinelError } from '../../../core/shared/errors';
import { errorBody, HTTP_ERRORS, httpCodeForError } from '../../../runtime/errors';

describe('errors to responses', () => {
  it('maps thrown gateway errors to their codes and anything else to 500', () => {
    expect(httpCodeForError(new SentinelError(ErrorCode.GatewayUpstreamTimeout, 'x'))).toBe(
      'gateway_timeout',
    );
    expect(httpCodeForError(new SentinelError(ErrorCode.GatewayUpstreamUnreachable, 'x'))).toBe(
      'bad_gateway',
    );
    expect(httpCodeForError(new SentinelError(ErrorCode.GatewayBodyTooLarge, 'x'))).toBe('payload_too_large');
    expect(httpCodeForError(new Error('secret internal detail'))).toBe('internal_error');
  });

  it('has one body shape and never leaks the internal message', () => {
    expect(errorBody('rate_limited', 'r1')).toEqual({
      error: 'rate_limited',
      detail: 'Rate limit exceeded',
      requestId: 'r1',
    });
    expect(HTTP_ERRORS.internal_error.detail).toBe('Internal error');
    for (const [code, { status }] of Object.entries(HTTP_ERRORS))
      expect(status, code).toBeGreaterThanOrEqual(400);
  });
});
