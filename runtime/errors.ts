// The one place where failures become HTTP responses. Every response the gateway itself produces
// (not the upstream's) has the shape {"error": <code>, "detail": <text>, "requestId": <id>}; `detail`
// is a short human text kept for older clients. Codes are stable: clients and tests branch on them.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCode, isSentinelError } from '../core/shared/errors';

export const HTTP_ERRORS = {
  bad_request: { status: 400, detail: 'Bad request' },
  bad_path: { status: 400, detail: 'Invalid proxy path' },
  invalid_token: { status: 401, detail: 'Invalid token' },
  blocked: { status: 403, detail: 'Blocked' },
  not_found: { status: 404, detail: 'Not found' },
  request_timeout: { status: 408, detail: 'Request body timed out' },
  payload_too_large: { status: 413, detail: 'Request body too large' },
  rate_limited: { status: 429, detail: 'Rate limit exceeded' },
  too_many_in_flight: { status: 429, detail: 'Too many requests in flight for this user' },
  throttled: { status: 429, detail: 'Throttled' },
  internal_error: { status: 500, detail: 'Internal error' },
  bad_gateway: { status: 502, detail: 'Upstream unreachable' },
  auth_unavailable: { status: 503, detail: 'Token keys are temporarily unavailable' },
  rate_limiter_unavailable: { status: 503, detail: 'Rate limiter unavailable' },
  not_ready: { status: 503, detail: 'Not ready' },
  upstream_busy: { status: 503, detail: 'Upstream connections are busy' },
  gateway_timeout: { status: 504, detail: 'Upstream timed out' },
} as const satisfies Record<string, { status: ContentfulStatusCode; detail: string }>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** Thrown SentinelError codes and the response each one gets; anything else is a 500. */
const THROWN: Record<string, HttpErrorCode> = {
  [ErrorCode.GatewayBadPath]: 'bad_path',
  [ErrorCode.GatewayBodyTooLarge]: 'payload_too_large',
  [ErrorCode.GatewayUpstreamTimeout]: 'gateway_timeout',
  [ErrorCode.GatewayUpstreamUnreachable]: 'bad_gateway',
};

export function httpCodeForError(error: unknown): HttpErrorCode {
  return (isSentinelError(error) && THROWN[error.code]) || 'internal_error';
}

export interface ErrorResponseOptions {
  /** Replaces the default detail; must never carry internal messages or secrets. */
  detail?: string;
  headers?: Record<string, string>;
  /** Extra documented fields (a block's reason and expiry). */
  extra?: Record<string, unknown>;
}

export function errorBody(code: HttpErrorCode, requestId: string, options: ErrorResponseOptions = {}) {
  return { error: code, detail: options.detail ?? HTTP_ERRORS[code].detail, requestId, ...options.extra };
}

export function errorResponse(
  c: Context,
  code: HttpErrorCode,
  requestId: string,
  options: ErrorResponseOptions = {},
): Response {
  const { status } = HTTP_ERRORS[code];
  if (options.headers) for (const name in options.headers) c.header(name, options.headers[name]);
  // Error bodies are small and final; say so, so that clients and the ALB do not wait for more.
  c.header('cache-control', 'no-store');
  return c.json(errorBody(code, requestId, options), status);
}
