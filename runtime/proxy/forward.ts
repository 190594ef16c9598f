// Forwards an admitted /proxy request to the upstream and streams the answer back, node stream to
// node stream (the container and `sentinel dev` serve through @hono/node-server). Nothing is
// buffered whole in either direction, and a client that leaves aborts the upstream request. A
// request first takes an upstream connection permit (upstream-admission.ts); a body is watched while
// it arrives (upload-watch.ts).
import type { Readable } from 'node:stream';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { Dispatcher } from 'undici';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { errorResponse } from '../errors';
import type { GatewayEnv, ProxyStep, RequestState } from '../request-state';
import { limitBody } from './body-limit';
import {
  clientResponseHeaders,
  REQUEST_ID_HEADER,
  upstreamRequestHeaders,
  type HeaderValue,
} from './headers';
import { relay } from './relay';
import type { Admission, UpstreamAdmission } from './upstream-admission';
import { classifyUpstreamError, type UpstreamFailure } from './upstream-errors';
import type { UploadLimits } from './upload-watch';

export interface ForwardOptions {
  upstream: Dispatcher;
  admission: UpstreamAdmission;
  upload: UploadLimits;
  maxBodyBytes: number;
  forwardAuthorization: boolean;
  trustedProxyHops: number;
  /** Called once when a streamed response has ended (the request's telemetry). */
  onStreamEnd(state: RequestState): void;
}

export function forward(options: ForwardOptions): ProxyStep {
  const { admission } = options;
  return async function forwardRequest(c, state) {
    const incoming = c.env?.incoming;
    const outgoing = c.env?.outgoing;
    if (!incoming || !outgoing) {
      throw new SentinelError(ErrorCode.Internal, 'the proxy runs only under a node HTTP server');
    }
    const headersIn = incoming.headers;

    // Request body: a declared length is checked up front; a chunked body is counted as it streams.
    let body: Dispatcher.DispatchOptions['body'] = null;
    const declared = headersIn['content-length'];
    if (declared !== undefined) {
      const length = Number(declared);
      if (!(length <= options.maxBodyBytes)) {
        state.decision = 'bad_request';
        return errorResponse(c, 'payload_too_large', state.requestId, { headers: { connection: 'close' } });
      }
      state.bytesIn = length;
      if (length > 0) body = incoming;
    } else if (headersIn['transfer-encoding'] !== undefined) {
      // undici streams any async iterable; its types only name Readable.
      body = limitBody(incoming, options.maxBodyBytes, (n) => {
        state.bytesIn += n;
      }) as unknown as Readable;
    }

    const user = state.userId ?? '';
    let admitted = admission.enter(user);
    if (admitted instanceof Promise) {
      admitted = await admitted;
      if (admitted === 'admitted' && outgoing.destroyed) {
        admission.leave(user);
        return clientLeft(state, options);
      }
    }
    if (admitted !== 'admitted') return refused(c, state, admitted, admission.retryAfterSeconds);

    const trusted = options.trustedProxyHops > 0;
    const forwardedProto = trusted ? lastEntry(headersIn['x-forwarded-proto']) : undefined;
    const proto = forwardedProto ?? ('encrypted' in incoming.socket ? 'https' : 'http');
    const host = (trusted ? lastEntry(headersIn['x-forwarded-host']) : undefined) ?? headersIn.host;
    const request: Dispatcher.DispatchOptions = {
      path: state.targetPath,
      method: state.method as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(headersIn, {
        peerAddress: incoming.socket.remoteAddress ?? state.clientIp,
        proto,
        host,
        requestId: state.requestId,
        userId: state.identity?.userIdHeader ?? '',
        forwardAuthorization: options.forwardAuthorization,
      }),
      body,
    };
    const responseHeaders = (upstream: Record<string, HeaderValue>) => {
      const headers = clientResponseHeaders(upstream, state.responseHeaders);
      headers[REQUEST_ID_HEADER] = state.requestId;
      return headers;
    };
    // Every check has passed: only now is the client told to send the body it held back.
    if (body && headersIn.expect !== undefined) outgoing.writeContinue();

    const startedUpstream = performance.now();
    let outcome: 'sent' | 'client_gone';
    try {
      outcome = await relay(options.upstream, request, outgoing, state, {
        responseHeaders,
        onEnd: options.onStreamEnd,
        onSettled: () => admission.leave(user),
        upload: body ? { incoming, startedAt: state.startedAt, limits: options.upload } : undefined,
      });
    } catch (error) {
      return failed(c, state, classifyUpstreamError(error, false));
    } finally {
      state.upstreamMs = performance.now() - startedUpstream;
    }
    return outcome === 'client_gone' ? clientLeft(state, options) : RESPONSE_ALREADY_SENT;
  };
}

/** Nobody is left to answer; 499 is what the access log and aggregates record. */
function markClientGone(state: RequestState): void {
  state.decision = 'upstream_error';
  state.status = 499;
}

function clientLeft(state: RequestState, options: ForwardOptions): Response {
  markClientGone(state);
  state.deferred = true;
  options.onStreamEnd(state);
  return RESPONSE_ALREADY_SENT;
}

/** The answer to a request that got no upstream connection. */
function refused(
  c: Context<GatewayEnv>,
  state: RequestState,
  admission: Exclude<Admission, 'admitted'>,
  retryAfterSeconds: number,
): Response {
  if (admission === 'user_limit') {
    state.decision = 'limited';
    return errorResponse(c, 'too_many_in_flight', state.requestId, { headers: { 'retry-after': '1' } });
  }
  state.decision = 'unavailable';
  return errorResponse(c, 'upstream_busy', state.requestId, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** The answer to an upstream request that failed before its answer began. */
function failed(c: Context<GatewayEnv>, state: RequestState, failure: UpstreamFailure): Response {
  if (failure.kind === 'client_gone') {
    markClientGone(state);
    return new Response(null, { status: 499 });
  }
  if (failure.kind === 'body_too_large') {
    state.decision = 'bad_request';
    return errorResponse(c, 'payload_too_large', state.requestId, { headers: { connection: 'close' } });
  }
  state.decision = 'upstream_error';
  throw failure.error;
}

function lastEntry(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[value.length - 1]! : value;
  const comma = text.lastIndexOf(',');
  const entry = (comma === -1 ? text : text.slice(comma + 1)).trim();
  return entry === '' ? undefined : entry;
}
