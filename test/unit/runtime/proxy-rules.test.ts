// The proxy's pure rules: target resolution and path escapes, the client IP, header hygiene.
import { describe, expect, it } from 'vitest';
import { clientIp } from '../../../runtime/proxy/client-ip';
import { clientResponseHeaders, requestIdFrom, upstreamRequestHeaders } from '../../../runtime/proxy/headers';
import { hasDotSegment, parseUpstreamBase, resolveTarget } from '../../../runtime/proxy/target';
import { classifyUpstreamError } from '../../../runtime/proxy/upstream-errors';
import { bodyTooLarge } from '../../../runtime/proxy/body-limit';

const base = parseUpstreamBase('https://api.example.com/v2');

describe('resolveTarget', () => {
  it('joins the base path, the raw tail and the query unchanged', () => {
    expect(resolveTarget('/proxy/orders/%E2%82%AC?x=%2F&y', base)).toEqual({
      ok: true,
      path: '/v2/orders/%E2%82%AC?x=%2F&y',
      endpoint: '/orders/%E2%82%AC',
    });
    expect(resolveTarget('/proxy', base)).toMatchObject({ ok: true, path: '/v2/' });
    expect(resolveTarget('/proxy?q=1', base)).toMatchObject({ ok: true, path: '/v2/?q=1' });
    expect(resolveTarget('/proxy/a/', parseUpstreamBase('http://u:8080'))).toMatchObject({
      ok: true,
      path: '/a/',
    });
  });

  it.each([
    '/proxy/../x',
    '/proxy/a/..',
    '/proxy/./x',
    '/proxy/%2e%2E/x',
    '/proxy/.%2e/x',
    '/proxy/a/..%2F..%2Fx',
    '/proxy//evil.example',
    '/proxy/a//b',
    '/proxy/http://evil.example/',
    '/proxy/a\\b',
    '/proxy/a%5Cb',
    '/proxy/a%00',
    '/proxy/a%7f',
    '/proxy/a%0A',
    '/proxy/a b',
    '/proxy/é',
    '/proxy/a#x',
    '/proxyfoo',
  ])('refuses %s', (target) => {
    expect(resolveTarget(target, base).ok).toBe(false);
  });

  it('finds dot segments anywhere in a raw path but not in queries or names', () => {
    expect(hasDotSegment('/x/../proxy/a')).toBe(true);
    expect(hasDotSegment('/proxy/%2E%2e')).toBe(true);
    expect(hasDotSegment('/proxy/a.b/.well-known?x=../')).toBe(false);
  });

  it('refuses an upstream base URL with a query', () => {
    expect(() => parseUpstreamBase('https://api.example.com/?x=1')).toThrow(/query/);
  });
});

describe('clientIp', () => {
  it('uses the socket address when no proxy is trusted', () => {
    expect(clientIp('::ffff:10.0.0.5', '203.0.113.1', 0)).toBe('10.0.0.5');
  });
  it('takes the entry added by the last trusted hop', () => {
    expect(clientIp('10.0.0.5', '198.51.100.1, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', '198.51.100.1, 203.0.113.7, 10.1.1.1', 2)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', 'forged, 2001:DB8::1', 1)).toBe('2001:db8::1');
  });
  it('falls back to the socket when the header is short or not an address', () => {
    expect(clientIp('10.0.0.5', '203.0.113.7', 2)).toBe('10.0.0.5');
    expect(clientIp('10.0.0.5', 'not-an-ip', 1)).toBe('10.0.0.5');
    expect(clientIp('10.0.0.5', undefined, 1)).toBe('10.0.0.5');
  });
});

describe('headers', () => {
  const ctx = {
    peerAddress: '10.0.0.9',
    proto: 'https',
    host: 'gw.example',
    requestId: 'r1',
    userId: 'alice',
    forwardAuthorization: true,
  };

  it('drops hop-by-hop and Connection-named headers and sets the gateway ones', () => {
    const out = upstreamRequestHeaders(
      {
        connection: 'keep-alive, X-Secret',
        'x-secret': 's',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'websocket',
        'proxy-authorization': 'x',
        host: 'gw.example',
        expect: '100-continue',
        'x-sentinel-user-id': 'forged',
        'x-forwarded-for': '192.0.2.1',
        authorization: 'Bearer t',
        accept: 'application/json',
      },
      ctx,
    );
    expect(out).toEqual({
      authorization: 'Bearer t',
      accept: 'application/json',
      'x-forwarded-for': '192.0.2.1, 10.0.0.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'gw.example',
      'x-request-id': 'r1',
      'x-sentinel-user-id': 'alice',
    });
    expect(
      upstreamRequestHeaders({ authorization: 'Bearer t' }, { ...ctx, forwardAuthorization: false })
        .authorization,
    ).toBeUndefined();
  });

  it('cleans response headers and adds the gateway ones', () => {
    const out = clientResponseHeaders(
      {
        connection: 'x-up',
        'x-up': '1',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1', 'b=2'],
        'content-length': '5',
      },
      { 'x-rate-limit-remaining': '4' },
    );
    expect(out).toEqual({
      'set-cookie': ['a=1', 'b=2'],
      'content-length': '5',
      'x-rate-limit-remaining': '4',
    });
  });

  it('keeps a safe request id and replaces anything else', () => {
    expect(requestIdFrom('Root=1-abc;x', () => 'new')).toBe('new');
    expect(requestIdFrom('abc-123_x.y:z', () => 'new')).toBe('abc-123_x.y:z');
    expect(requestIdFrom('x'.repeat(200), () => 'new')).toBe('new');
  });
});

describe('upstream errors', () => {
  it('maps timeouts to 504, connection failures to 502, oversize to 413, and a gone client to nothing', () => {
    expect(
      classifyUpstreamError(Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), false).kind,
    ).toBe('timeout');
    expect(classifyUpstreamError(Object.assign(new Error('r'), { code: 'ECONNREFUSED' }), false).kind).toBe(
      'unreachable',
    );
    expect(classifyUpstreamError(bodyTooLarge(10), false).kind).toBe('body_too_large');
    expect(classifyUpstreamError(new Error('aborted'), true).kind).toBe('client_gone');
  });
});
