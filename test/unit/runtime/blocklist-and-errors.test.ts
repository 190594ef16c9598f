// The blocklist snapshot's expiry rules and the one mapping from errors to HTTP responses.
import { describe, expect, it } from 'vitest';
import { BlocklistSnapshot } from '../../../runtime/blocklist/snapshot';
import { errorBody, HTTP_ERRORS, httpCodeForError } from '../../../runtime/errors';
import type { BlockRecord } from '../../../core/shared/block-record';
import { ErrorCode, SentinelError } from '../../../core/shared/errors';

const block = (id: string, expiresAt: number, kind: 'user' | 'ip' = 'user'): BlockRecord => ({
  entity: { kind, id },
  action: 'block',
  reason: 'r',
  blockedAt: 0,
  expiresAt,
  source: 'detector',
  strikes: 1,
});

describe('BlocklistSnapshot', () => {
  it('holds active blocks only and checks expiry at lookup time', () => {
    const snapshot = new BlocklistSnapshot(
      [block('a', 100), block('gone', 5), block('10.0.0.1', 100, 'ip')],
      10_000,
    );
    expect(snapshot.size).toBe(2);
    expect(snapshot.lookup({ kind: 'user', id: 'a' }, 50_000)?.reason).toBe('r');
    expect(snapshot.lookup({ kind: 'user', id: 'a' }, 100_000)).toBeUndefined();
    expect(snapshot.lookupKey('IP#10.0.0.1', 50_000)).toBeDefined();
    expect(snapshot.lookupKey('USER#gone', 1_000)).toBeUndefined();
  });
});

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
