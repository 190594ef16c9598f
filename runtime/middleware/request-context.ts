// First middleware of every request: creates the request's state (id, client IP, timing), echoes
// the request id, and hands the finished request to telemetry, unless the proxy streams the
// response and reports it itself when the stream ends.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../lib/clock';
import { clientIp } from '../proxy/client-ip';
import { REQUEST_ID_HEADER, requestIdFrom } from '../proxy/headers';
import type { GatewayEnv, RequestState } from '../request-state';
import { requestHeader } from '../request-state';

export interface RequestContextOptions {
  clock: Clock;
  trustedProxyHops: number;
  /** Called once per request with its final state. */
  onComplete(state: RequestState): void;
  /** Address used when the app runs without a socket (app.request()). @default '127.0.0.1' */
  defaultAddress?: string;
  generateRequestId?: () => string;
}

const UNTRACKED = new Set(['/health', '/ready']);

export function requestContext(options: RequestContextOptions): MiddlewareHandler<GatewayEnv> {
  const generate = options.generateRequestId ?? randomUUID;
  const fallbackAddress = options.defaultAddress ?? '127.0.0.1';
  return async function sentinelRequestContext(c, next) {
    const env = c.env;
    const raw = c.req.raw;
    const requestId = requestIdFrom(requestHeader(env, raw, REQUEST_ID_HEADER), generate);
    const path = c.req.path;
    const state: RequestState = {
      requestId,
      time: options.clock.now(),
      startedAt: performance.now(),
      method: c.req.method,
      endpoint: path,
      clientIp: clientIp(
        env?.incoming?.socket.remoteAddress ?? fallbackAddress,
        requestHeader(env, raw, 'x-forwarded-for'),
        options.trustedProxyHops,
      ),
      userAgent: requestHeader(env, raw, 'user-agent'),
      userId: undefined,
      identity: undefined,
      decision: 'allowed',
      status: 0,
      remaining: undefined,
      upstreamMs: undefined,
      latencyMs: 0,
      bytesIn: 0,
      bytesOut: 0,
      deferred: false,
      tracked: !UNTRACKED.has(path),
      targetPath: '',
      responseHeaders: {},
    };
    c.set('state', state);
    c.header(REQUEST_ID_HEADER, requestId);
    await next();
    if (state.deferred) return;
    if (state.status === 0) state.status = c.res.status;
    options.onComplete(state);
  };
}

/** Completes a request's timing; telemetry calls it before reading the state. */
export function finishTiming(state: RequestState): void {
  state.latencyMs = performance.now() - state.startedAt;
}
