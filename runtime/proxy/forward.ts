// Forwards an admitted /proxy request to the upstream and streams the answer back. Under
// @hono/node-server (the container and `sentinel dev`) bodies flow node stream to node stream; through
// app.request() (in-process tests) the web streams of Request/Response are used. Nothing is buffered
// whole in either direction, and a client that leaves aborts the upstream request.
import { Readable } from 'node:stream';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { Dispatcher } from 'undici';
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
import { classifyUpstreamError, type UpstreamFailure } from './upstream-errors';

export interface ForwardOptions {
  upstream: Dispatcher;
  maxBodyBytes: number;
  forwardAuthorization: boolean;
  trustedProxyHops: number;
  /** Called once when a streamed response has ended (the request's telemetry). */
  onStreamEnd(state: RequestState): void;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export function forward(options: ForwardOptions): ProxyStep {
  return async function forwardRequest(c, state) {
    const incoming = c.env?.incoming;
    const outgoing = c.env?.outgoing;
    const headersIn: IncomingHttpHeaders = incoming
      ? incoming.headers
      : Object.fromEntries(c.req.raw.headers);

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
      if (length > 0) body = incoming ?? (c.req.raw.body as unknown as Readable);
    } else if (headersIn['transfer-encoding'] !== undefined || (!incoming && c.req.raw.body)) {
      const source = (incoming ?? c.req.raw.body) as AsyncIterable<Uint8Array>;
      // undici streams any async iterable; its types only name Readable.
      body = limitBody(source, options.maxBodyBytes, (n) => {
        state.bytesIn += n;
      }) as unknown as Readable;
    }

    const peer = incoming?.socket.remoteAddress ?? state.clientIp;
    const trusted = options.trustedProxyHops > 0;
    const forwardedProto = trusted ? lastEntry(headersIn['x-forwarded-proto']) : undefined;
    const proto = forwardedProto ?? (incoming && 'encrypted' in incoming.socket ? 'https' : 'http');
    const host = (trusted ? lastEntry(headersIn['x-forwarded-host']) : undefined) ?? headersIn.host;
    const request: Dispatcher.DispatchOptions = {
      path: state.targetPath,
      method: state.method as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(headersIn, {
        peerAddress: peer,
        proto,
        host,
        requestId: state.requestId,
        userId: state.userId ?? '',
        forwardAuthorization: options.forwardAuthorization,
      }),
      body,
    };
    const responseHeaders = (upstream: Record<string, HeaderValue>) => {
      const headers = clientResponseHeaders(upstream, state.responseHeaders);
      headers[REQUEST_ID_HEADER] = state.requestId;
      return headers;
    };

    const startedUpstream = performance.now();
    if (outgoing) {
      // Under node: undici's callbacks write the answer to node's response (relay.ts).
      let outcome: 'sent' | 'client_gone';
      try {
        outcome = await relay(options.upstream, request, outgoing, state, {
          responseHeaders,
          onEnd: options.onStreamEnd,
        });
      } catch (error) {
        return failed(c, state, classifyUpstreamError(error, false));
      } finally {
        state.upstreamMs = performance.now() - startedUpstream;
      }
      if (outcome === 'client_gone') {
        markClientGone(state);
        state.deferred = true;
        options.onStreamEnd(state);
      }
      return RESPONSE_ALREADY_SENT;
    }

    // Through app.request(): undici's request() and web streams; the Request's signal aborts it.
    let response: Dispatcher.ResponseData;
    try {
      response = await options.upstream.request({ ...request, signal: c.req.raw.signal });
    } catch (error) {
      return failed(c, state, classifyUpstreamError(error, c.req.raw.signal.aborted));
    } finally {
      state.upstreamMs = performance.now() - startedUpstream;
    }
    return toWebResponse(c, response, responseHeaders(response.headers), state);
  };
}

/** Nobody is left to answer; 499 is what the access log and aggregates record. */
function markClientGone(state: RequestState): void {
  state.decision = 'upstream_error';
  state.status = 499;
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

function toWebResponse(
  c: Context<GatewayEnv>,
  response: Dispatcher.ResponseData,
  headers: OutgoingHttpHeaders,
  state: RequestState,
): Response {
  const out = new Headers();
  for (const name in headers) {
    const value = headers[name];
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else if (value !== undefined) out.set(name, String(value));
  }
  state.bytesOut = Number(out.get('content-length') ?? 0);
  const nullBody = NULL_BODY_STATUS.has(response.statusCode) || c.req.method === 'HEAD';
  if (nullBody) response.body.resume();
  const body = nullBody ? null : (Readable.toWeb(response.body) as ReadableStream<Uint8Array>);
  return new Response(body, { status: response.statusCode, headers: out });
}

function lastEntry(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[value.length - 1]! : value;
  const comma = text.lastIndexOf(',');
  const entry = (comma === -1 ? text : text.slice(comma + 1)).trim();
  return entry === '' ? undefined : entry;
}
