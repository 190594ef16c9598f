// Per-request facts gathered along the request steps and read once, at the end, by telemetry.
// One plain object per request (no Map of variables), filled in place.
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { BlockRecord } from '../core/shared/block-record';
import type { RequestDecision } from '../core/shared/request-log-record';
import type { Identity } from './auth/auth-failure';

export interface RequestState {
  requestId: string;
  /** Epoch ms at arrival (injected clock). */
  time: number;
  /** performance.now() at arrival, for latency. */
  startedAt: number;
  method: string;
  /** The path the client asked for, without the query string (the access log's `path`). */
  path: string;
  /** Path as seen by telemetry: after /proxy for proxied requests, without the query string. */
  endpoint: string;
  clientIp: string;
  userAgent: string | undefined;
  userId: string | undefined;
  /** The verified token's identity, once authenticated. */
  identity: Identity | undefined;
  decision: RequestDecision;
  status: number;
  /** Tokens left after this request, when it reached the rate limiter. */
  remaining: number | undefined;
  upstreamMs: number | undefined;
  latencyMs: number;
  bytesIn: number;
  bytesOut: number;
  /** The proxy streams the body itself and reports the request when the stream ends. */
  deferred: boolean;
  /** Whether aggregates and the request log count this request (not /health, /ready). */
  tracked: boolean;
  /** Upstream path and query (after path validation). */
  targetPath: string;
  /** The client IP's throttle, when it has one (the rate-limit step applies it). */
  ipThrottle: BlockRecord | undefined;
  /** The user's throttle, when it has one. */
  userThrottle: BlockRecord | undefined;
  /** Headers the gateway adds to the proxied response (rate-limit state). */
  responseHeaders: Record<string, string>;
}

/** Hono environment of the gateway. Bindings are absent when the app runs through app.request(). */
export interface GatewayEnv {
  Bindings: Partial<HttpBindings>;
  Variables: { state: RequestState };
}

/**
 * One check or action of the /proxy route: a response ends the request (a refusal, or the proxied
 * answer), undefined passes it on to the next step. Synchronous where it can be.
 */
export type ProxyStep = (
  c: Context<GatewayEnv>,
  state: RequestState,
) => Response | undefined | Promise<Response | undefined>;

/** A request header, read from node's parsed headers when available (no Headers object is built). */
export function requestHeader(
  env: Partial<HttpBindings> | undefined,
  raw: Request,
  name: string,
): string | undefined {
  const incoming = env?.incoming;
  if (incoming) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
  return raw.headers.get(name) ?? undefined;
}
