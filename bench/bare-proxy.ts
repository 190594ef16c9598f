// The Node floor for our stack: Hono on @hono/node-server forwarding /proxy/* to one upstream through
// an undici keep-alive pool, bodies streamed node to node. No auth, no limit, no telemetry, no
// header policy beyond dropping hop-by-hop headers. Run as its own process:
// `tsx bench/bare-proxy.ts` with BARE_PROXY_UPSTREAM and BARE_PROXY_PORT (0: any); prints its port.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { Pool, type Dispatcher } from 'undici';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'te']);

function withoutHopByHop(headers: IncomingHttpHeaders | Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name] as string;
  return out;
}

export function bareProxyApp(upstream: string): Hono<{ Bindings: HttpBindings }> {
  const pool = new Pool(upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 4_000 });
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.all('/proxy/*', async (c) => {
    const { incoming, outgoing } = c.env;
    const hasBody = incoming.headers['content-length'] !== undefined || incoming.headers['transfer-encoding'];
    const response = await pool.request({
      path: incoming.url!.slice('/proxy'.length),
      method: incoming.method as Dispatcher.HttpMethod,
      headers: withoutHopByHop(incoming.headers),
      body: hasBody ? incoming : null,
    });
    outgoing.writeHead(response.statusCode, withoutHopByHop(response.headers));
    response.body.pipe(outgoing);
    return RESPONSE_ALREADY_SENT;
  });
  app.onError((_error, c) => c.json({ error: 'bad_gateway' }, 502));
  return app;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const upstream = process.env.BARE_PROXY_UPSTREAM;
  if (!upstream)
    throw new Error('set BARE_PROXY_UPSTREAM to the upstream origin, e.g. http://127.0.0.1:9000');
  const server = createServer({ keepAliveTimeout: 65_000 }, getRequestListener(bareProxyApp(upstream).fetch));
  server.listen(Number(process.env.BARE_PROXY_PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
