// The keep-alive connection pool to the upstream origin. Timeouts: no response headers within the
// request timeout is a 504; a response body that stalls that long is cut.
import { Pool } from 'undici';

export interface UpstreamPoolOptions {
  origin: string;
  connections: number;
  requestTimeoutMs: number;
}

export function createUpstreamPool(options: UpstreamPoolOptions): Pool {
  return new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    connectTimeout: Math.min(options.requestTimeoutMs, 5_000),
  });
}
