// Serves a gateway over HTTP and shuts it down gracefully: stop accepting, let in-flight requests
// finish within the grace period, then cut what is left, flush telemetry and close connections.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { getRequestListener } from '@hono/node-server';
import { errorBody } from './errors';
import type { Gateway } from './gateway';

export interface ServeOptions {
  port: number;
  /** @default '0.0.0.0' */
  hostname?: string;
  shutdownGraceMs: number;
}

export interface RunningGateway {
  server: Server;
  port: number;
  url: string;
  /** Graceful stop; resolves once telemetry is flushed. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

/** Longer than the ALB's 60 s idle timeout, so the ALB, not the gateway, closes idle connections. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export async function serveGateway(gateway: Gateway, options: ServeOptions): Promise<RunningGateway> {
  const listener = getRequestListener(gateway.app.fetch, {
    // Requests node-server cannot turn into a Request (a bad Host header): same JSON shape as the rest.
    errorHandler: () =>
      new Response(JSON.stringify(errorBody('bad_request', randomUUID())), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      }),
  });
  const requestListener = (req: IncomingMessage, res: ServerResponse) => {
    // Node keeps the first of two Host headers and drops the other; a server behind the gateway
    // might read the other one. Such a request is ambiguous: 400.
    if (hostCount(req.rawHeaders) > 1) return refuse(res, 400, errorBody('bad_request', randomUUID()));
    void listener(req, res);
  };
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, requestListener);
  // `Expect: 100-continue` reaches the app unanswered: the proxy sends 100 only once the request
  // has passed every check, so a refused client never uploads its body.
  server.on('checkContinue', requestListener);
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.hostname ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.hostname && options.hostname !== '0.0.0.0' ? options.hostname : '127.0.0.1';

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      gateway.logger.info('shutting down', { reason, graceMs: options.shutdownGraceMs });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections between requests would hold close() open: close them as they go idle.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const grace = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), options.shutdownGraceMs).unref(),
      );
      const outcome = await Promise.race([closed.then(() => 'drained' as const), grace]);
      clearInterval(idle);
      if (outcome === 'timeout') {
        gateway.logger.warn('grace period over; closing remaining connections');
        server.closeAllConnections();
      }
      await gateway.stop();
      gateway.logger.info('stopped');
      gateway.lines.flush();
    })();
    return stopping;
  };

  return { server, port, url: `http://${host}:${port}`, shutdown };
}

/** Host headers among raw header names and values (names at even indexes, in any case). */
function hostCount(raw: string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

function refuse(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  });
  res.end(text);
}
