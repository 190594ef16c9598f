// The start of every request: its state (id, client IP, timing), the request id echoed back, and
// the finished request handed to telemetry, unless the proxy streams the response and reports it
// itself when the stream ends. As a middleware for the routes other than /proxy; the /proxy route
// builds the state with newRequestState() itself (routes/proxy.ts).
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from './lib/clock';
import { clientIp } from './proxy/client-ip';
import { REQUEST_ID_HEADER, requestIdFrom } from './proxy/headers';
import type { GatewayEnv, RequestState } from './request-state';
import { requestHeader } from './request-state';

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

/** The state of a new request, stored on the context (`c.get('state')`). */
export function newRequestState(c: Context<GatewayEnv>, options: RequestContextOptions): RequestState {
  const env = c.env;
  const raw = c.req.raw;
  const requestId = requestIdFrom(
    requestHeader(env, raw, REQUEST_ID_HEADER),
    options.generateRequestId ?? randomUUID,
  );
  const path = c.req.path;
  const state: RequestState = {
    requestId,
    time: options.clock.now(),
    startedAt: performance.now(),
    method: c.req.method,
    path,
    endpoint: path,
    clientIp: clientIp(
      env?.incoming?.socket.remoteAddress ?? options.defaultAddress ?? '127.0.0.1',
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
    ipThrottle: undefined,
    userThrottle: undefined,
    responseHeaders: {},
  };
  c.set('state', state);
  return state;
}

export function requestContext(options: RequestContextOptions): MiddlewareHandler<GatewayEnv> {
  return async function sentinelRequestContext(c, next) {
    const state = newRequestState(c, options);
    c.header(REQUEST_ID_HEADER, state.requestId);
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
