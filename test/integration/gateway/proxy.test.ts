// The streaming proxy against real node:http upstreams on loopback: path escapes, header hygiene,
// bodies, and the upstream's failures (502, 504, a client that leaves).
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../runtime/lib/logger';
import { createUpstreamPool } from '../../../runtime/proxy/upstream-pool';
import type { TableNames } from '../../../core/shared/table-setup';
import { startDynalite, storeEnv, type DynaliteServer } from '../../helpers/dynalite';
import { eventually, startGateway, tokenFor, type TestGateway } from '../../helpers/gateway';
import { freePort } from '../../helpers/ports';
import { startUpstream, type Upstream } from '../../helpers/upstream';

interface Seen {
  url: string;
  method: string;
  headers: IncomingMessage['headers'];
  aborted: boolean;
  /** Body bytes the upstream has handed to its socket (/base/stream). */
  streamed: number;
}

/** The body /base/stream sends, in 64 KiB chunks as fast as the connection takes them. */
const STREAM_BYTES = 64 * 1024 * 1024;

function upstreamHandler(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const entry: Seen = {
      url: req.url ?? '',
      method: req.method ?? '',
      headers: req.headers,
      aborted: false,
      streamed: 0,
    };
    seen.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    const path = (req.url ?? '').split('?')[0];
    if (path === '/base/slow') return; // never answers
    if (path === '/base/reset') return req.socket.destroy();
    if (path === '/base/half') {
      // Promises 1,000 bytes, sends 100, then the connection dies.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1000 });
      res.write(Buffer.alloc(100, 97));
      return void setTimeout(() => req.socket.destroy(), 50);
    }
    if (path === '/base/stream') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': STREAM_BYTES });
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (entry.streamed < STREAM_BYTES) {
          entry.streamed += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      if (path === '/base/hop') {
        res.writeHead(200, {
          connection: 'x-up-hop',
          'x-up-hop': 'secret',
          'proxy-authenticate': 'Basic',
          'set-cookie': ['a=1', 'b=2'],
          'x-kept': 'yes',
        });
        return res.end('ok');
      }
      const body = JSON.stringify({ url: req.url, method: req.method, headers: req.headers, bytes });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  };
}

/** Sends a request byte for byte (fetch and http.request would normalise or refuse some of it). */
function rawRequest(
  port: number,
  target: string,
  headers: string[] = [],
): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...headers];
      if (!headers.some((h) => h.toLowerCase().startsWith('connection:'))) lines.push('Connection: close');
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const split = data.indexOf('\r\n\r\n');
      resolve({ status, head: data.slice(0, split).toLowerCase(), body: data.slice(split + 4) });
    });
  });
}
const rawGet = (port: number, target: string) => rawRequest(port, target);

describe('proxy', () => {
  let store: DynaliteServer;
  let tables: TableNames;
  let upstream: Upstream;
  const seen: Seen[] = [];
  let gw: TestGateway;
  let noAuthForward: TestGateway;
  let token: string;

  const env = (extra: Record<string, string> = {}) => ({
    SENTINEL_API_UPSTREAM_BASE_URL: `${upstream.url}/base`,
    ...storeEnv(store.endpoint, tables),
    SENTINEL_API_RATE_LIMIT_CAPACITY: '100000',
    SENTINEL_API_MAX_BODY_BYTES: String(1024 * 1024),
    SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
    ...extra,
  });
  const proxied = (target: TestGateway, path: string, init: RequestInit = {}) =>
    fetch(`${target.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  beforeAll(async () => {
    [store, upstream] = await Promise.all([startDynalite(), startUpstream(upstreamHandler(seen))]);
    tables = await store.createTables();
    token = await tokenFor('proxy-user');
    const o = { logger: silentLogger };
    [gw, noAuthForward] = await Promise.all([
      startGateway(env(), o),
      startGateway(env({ SENTINEL_API_FORWARD_AUTHORIZATION: 'false' }), o),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gw?.close(), noAuthForward?.close()]);
    await Promise.all([store?.stop(), upstream?.close()]);
  });

  it('joins the upstream base path with the raw path and query, byte for byte', async () => {
    for (const [path, expected] of [
      ['/proxy/v1/orders/%E2%82%AC?limit=5&q=a%2Fb', '/base/v1/orders/%E2%82%AC?limit=5&q=a%2Fb'],
      ['/proxy/v1/items/', '/base/v1/items/'],
      ['/proxy', '/base/'],
      ['/proxy/', '/base/'],
      ['/proxy/file.v2.json', '/base/file.v2.json'],
    ] as const) {
      const res = await proxied(gw, path);
      expect(res.status, path).toBe(200);
      expect(((await res.json()) as { url: string }).url).toBe(expected);
    }
  });

  it('refuses path escape attempts with 400 before anything else, without calling the upstream', async () => {
    const before = seen.length;
    const attempts = [
      '/proxy/../admin',
      '/proxy/a/../../admin',
      '/proxy/./admin',
      '/proxy/%2e%2e/admin',
      '/proxy/.%2E/admin',
      '/proxy/%2E/admin',
      '/proxy/a/..%2f..%2fadmin',
      '/proxy/a%2F..%2F..%2Fadmin',
      '/proxy//evil.example/x',
      '/proxy/http://evil.example/x',
      '/proxy/a%00b',
      '/proxy/a%0d%0aSet-Cookie:%20x=1',
      '/proxy/a%5c..%5cadmin',
      '/proxy/a/b#frag',
      '/proxy/..',
      '/x/../proxy/admin',
    ];
    for (const target of attempts) {
      const { status, body } = await rawGet(gw.running.port, target);
      expect(status, target).toBe(400);
      expect(JSON.parse(body), target).toMatchObject({ error: 'bad_path' });
    }
    // A raw backslash is refused by the HTTP layer itself, in the same JSON shape.
    const backslash = await rawGet(gw.running.port, '/proxy/a\\..\\admin');
    expect(backslash.status).toBe(400);
    expect(JSON.parse(backslash.body)).toMatchObject({ error: 'bad_request' });
    expect(seen.length).toBe(before);
  });

  it('strips hop-by-hop headers both ways and sets the gateway headers', async () => {
    const res = await rawRequest(gw.running.port, '/proxy/echo', [
      `Authorization: Bearer ${token}`,
      'Connection: close, x-client-hop',
      'X-Client-Hop: secret',
      'Keep-Alive: timeout=5',
      'TE: trailers',
      'Proxy-Authorization: Basic eA==',
      'X-Sentinel-User-Id: forged',
      'X-Forwarded-For: 192.0.2.1',
      'X-Request-Id: req-abc-123',
      'X-Custom: kept',
    ]);
    expect(res.status).toBe(200);
    const { headers } = JSON.parse(res.body) as { headers: Record<string, string> };
    for (const name of ['x-client-hop', 'keep-alive', 'te', 'proxy-authorization'])
      expect(headers[name], name).toBeUndefined();
    expect(headers.connection).not.toContain('x-client-hop');
    expect(headers['x-sentinel-user-id']).toBe('proxy-user');
    expect(headers['x-forwarded-for']).toBe('192.0.2.1, 127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(`127.0.0.1:${gw.running.port}`);
    expect(headers['x-request-id']).toBe('req-abc-123');
    expect(headers.authorization).toBe(`Bearer ${token}`);
    expect(headers['x-custom']).toBe('kept');
    expect(res.head).toContain('x-request-id: req-abc-123');

    const hop = await proxied(gw, '/proxy/hop');
    expect(hop.headers.get('x-up-hop')).toBeNull();
    expect(hop.headers.get('proxy-authenticate')).toBeNull();
    expect(hop.headers.get('x-kept')).toBe('yes');
    expect(hop.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(hop.headers.get('x-rate-limit-remaining')).not.toBeNull();
  });

  it('replaces an unusable request id, and can keep Authorization from the upstream', async () => {
    const res = await proxied(noAuthForward, '/proxy/echo', {
      headers: { 'x-request-id': 'has spaces and "quotes"' },
    });
    const { headers } = (await res.json()) as { headers: Record<string, string> };
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-request-id')).toBe(headers['x-request-id']);
  });

  it('forwards every method, including HEAD and OPTIONS', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const res = await proxied(gw, '/proxy/echo', { method, body: method === 'OPTIONS' ? undefined : 'x' });
      expect(((await res.json()) as { method: string }).method).toBe(method);
    }
    const head = await proxied(gw, '/proxy/echo', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(seen.at(-1)?.method).toBe('HEAD');
  });

  it('answers 413 for bodies over the limit, declared or streamed', async () => {
    const before = seen.length;
    const declared = await proxied(gw, '/proxy/upload', {
      method: 'POST',
      body: new Uint8Array(2 * 1024 * 1024),
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: 'payload_too_large' });
    expect(seen.length).toBe(before);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(64 * 1024));
        controller.close();
      },
    });
    const streamed = await proxied(gw, '/proxy/upload', {
      method: 'POST',
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // Within the limit, a chunked body arrives whole.
    const small = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1000));
        controller.enqueue(new Uint8Array(24));
        controller.close();
      },
    });
    const ok = await proxied(gw, '/proxy/upload', {
      method: 'POST',
      body: small,
      duplex: 'half',
    } as RequestInit);
    expect(((await ok.json()) as { bytes: number }).bytes).toBe(1024);
  });

  it('answers 502 when the upstream refuses or resets the connection', async () => {
    const reset = await proxied(gw, '/proxy/reset');
    expect(reset.status).toBe(502);
    expect(await reset.json()).toMatchObject({ error: 'bad_gateway' });
    const closedPort = await freePort();
    const dead = await startGateway(
      { ...env(), SENTINEL_API_UPSTREAM_BASE_URL: `http://127.0.0.1:${closedPort}` },
      { logger: silentLogger },
    );
    const refused = await proxied(dead, '/proxy/anything');
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ error: 'bad_gateway', detail: 'Upstream unreachable' });
    await dead.close();
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const pool = createUpstreamPool({ origin: upstream.url, connections: 2, requestTimeoutMs: 300 });
    const slow = await startGateway(env(), { logger: silentLogger, upstream: pool });
    const res = await proxied(slow, '/proxy/slow');
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: 'gateway_timeout' });
    await slow.close();
    await pool.close();
  });

  /** GET /proxy/stream with node's client, which (unlike fetch) can stop reading and hang up. */
  const openStream = () =>
    new Promise<IncomingMessage>((resolve, reject) => {
      request(`${gw.url}/proxy/stream`, { headers: { authorization: `Bearer ${token}` } }, resolve)
        .on('error', reject)
        .end();
    });

  it('streams a large answer with backpressure: a client that stops reading stops the upstream', async () => {
    const before = seen.length;
    const response = await openStream();
    expect(response.statusCode).toBe(200);
    response.pause();
    await eventually(() => seen.slice(before).some((e) => e.url === '/base/stream'));
    const entry = seen.slice(before).find((e) => e.url === '/base/stream')!;
    // Not reading: the upstream fills the socket buffers of both legs and then waits. Without
    // backpressure it would have sent all 64 MiB (into the gateway's memory) long before this.
    await eventually(() => entry.streamed >= 2 * 1024 * 1024);
    // Wait until the upstream has stopped sending (two polls see the same count).
    let last = -1;
    await eventually(
      () => {
        const stalled = entry.streamed === last;
        last = entry.streamed;
        return stalled;
      },
      10_000,
      100,
    );
    expect(entry.streamed).toBeLessThan(STREAM_BYTES / 2);
    let received = 0;
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(received).toBe(STREAM_BYTES);
    expect(entry.streamed).toBe(STREAM_BYTES);
  });

  it('cuts the client off when the upstream dies mid-body, and keeps serving', async () => {
    const res = await proxied(gw, '/proxy/half');
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    await eventually(() =>
      gw.lines.some((l) => l.includes('"path":"/proxy/half"') && l.includes('"decision":"upstream_error"')),
    );
    expect((await proxied(gw, '/proxy/after')).status).toBe(200);
  });

  it('aborts the upstream body when the client leaves mid-body', async () => {
    const before = seen.length;
    const response = await openStream();
    expect(response.statusCode).toBe(200);
    await new Promise((resolve) => response.once('data', resolve));
    response.destroy();
    const entry = seen.slice(before).find((e) => e.url === '/base/stream')!;
    // Left alone, the upstream would wait on a full socket for ever; the gateway must hang up on it.
    await eventually(() => entry.aborted, 3000);
    expect(entry.streamed).toBeLessThan(STREAM_BYTES);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    const controller = new AbortController();
    const before = seen.length;
    const pending = proxied(gw, '/proxy/slow', { signal: controller.signal }).catch(() => undefined);
    await eventually(() => seen.length > before && seen.at(-1)!.url === '/base/slow');
    controller.abort();
    await pending;
    await eventually(() => seen.at(-1)!.aborted, 3000);
    await eventually(() => gw.lines.some((l) => l.includes('"status":499')), 3000);
  });
});
