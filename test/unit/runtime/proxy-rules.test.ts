// The proxy's pure rules: target resolution and path escapes, the client IP, header hygiene.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/shared/errors';
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

  // The path rule (docs/gateway.md, "Paths"): every form below is refused with 400 bad_path.
  it.each([
    // Dot segments, plain and percent-encoded (refused before the rule was written down too).
    '/proxy/../x',
    '/proxy/a/..',
    '/proxy/./x',
    '/proxy/%2e%2E/x',
    '/proxy/.%2e/x',
    '/proxy/a/..%2F..%2Fx',
    // `;` parameters, which Tomcat, Jetty and Spring drop before resolving the dots.
    '/proxy/..;/admin',
    '/proxy/a/..;/..;/admin',
    '/proxy/%2e%2e;x/admin',
    '/proxy/%2e%2e%3b/admin',
    '/proxy/.;jsessionid=1/admin',
    // Trailing dots or spaces, which Windows and IIS drop.
    '/proxy/..%20/admin',
    '/proxy/.../admin',
    '/proxy/.%20/admin',
    // Overlong UTF-8 for `.` or `/`, and a double-encoded dot.
    '/proxy/..%c0%af/admin',
    '/proxy/%c0%ae%c0%ae/admin',
    '/proxy/%e0%80%ae/admin',
    '/proxy/%252e%252e/admin',
    '/proxy/a/%252E/admin',
    // A broken escape.
    '/proxy/a%zz',
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

  it.each([
    '/proxy/a..b',
    '/proxy/.well-known/x',
    '/proxy/file.v2.json',
    '/proxy/v1;jsessionid=abc/x',
    '/proxy/a;b/..c',
    '/proxy/%E2%82%AC/%C3%A9',
    '/proxy/a.%20b',
    '/proxy/x?path=../../..;/admin',
  ])('forwards %s byte for byte', (target) => {
    expect(resolveTarget(target, base)).toMatchObject({ ok: true, path: `/v2${target.slice(6)}` });
  });

  it('finds dot segments anywhere in a raw path but not in queries or names', () => {
    expect(hasDotSegment('/x/../proxy/a')).toBe(true);
    expect(hasDotSegment('/proxy/%2E%2e')).toBe(true);
    expect(hasDotSegment('/proxy/a.b/.well-known?x=../')).toBe(false);
  });

  it('refuses an upstream base URL with a query', () => {
    expect(() => parseUpstreamBase('https://api.example.com/?x=1')).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
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
