// Forwards an admitted /proxy request to the upstream and streams the answer back. Under
// @hono/node-server (the container and `sentinel dev`) bodies flow node stream to node stream; through
// app.request() (in-process tests) the web streams of Request/Response are used. Nothing is buffered
// whole in either direction, and a client that leaves aborts the upstream request.
import type { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { Dispatcher } from 'undici';
import { ErrorCode, SentinelError } from '../../src/shared/errors';
import { errorResponse } from '../errors';
import type { GatewayEnv, ProxyStep, RequestState } from '../request-state';
import { limitBody } from './body-limit';
import { clientResponseHeaders, REQUEST_ID_HEADER, upstreamRequestHeaders } from './headers';
import { classifyUpstreamError } from './upstream-errors';

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

    // Aborting the upstream request when the client leaves. undici accepts any EventEmitter as the
    // signal: the response itself serves (an 'abort' event is emitted on it), cheaper than an
    // AbortController (whose AbortSignal and DOMException showed in profiles) or an emitter per
    // request. Through app.request() the Request's own signal serves.
    let signal: EventEmitter | AbortSignal | undefined;
    let clientGone = false;
    let streaming: ((gone: boolean) => void) | undefined;
    if (outgoing) {
      signal = outgoing;
      // `on`, not `once`: a response closes once, and once() wraps the listener and removes it again.
      outgoing.on('close', () => {
        const gone = !outgoing.writableFinished;
        if (streaming) return streaming(gone);
        if (gone) {
          clientGone = true;
          outgoing.emit('abort');
        }
      });
    } else {
      signal = c.req.raw.signal;
    }

    const peer = incoming?.socket.remoteAddress ?? state.clientIp;
    const trusted = options.trustedProxyHops > 0;
    const forwardedProto = trusted ? lastEntry(headersIn['x-forwarded-proto']) : undefined;
    const proto = forwardedProto ?? (incoming && 'encrypted' in incoming.socket ? 'https' : 'http');
    const host = (trusted ? lastEntry(headersIn['x-forwarded-host']) : undefined) ?? headersIn.host;

    const startedUpstream = performance.now();
    let response: Dispatcher.ResponseData;
    try {
      response = await options.upstream.request({
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
        signal,
      });
    } catch (error) {
      const failure = classifyUpstreamError(error, clientGone || (!outgoing && c.req.raw.signal.aborted));
      state.upstreamMs = performance.now() - startedUpstream;
      if (failure.kind === 'client_gone') {
        // Nobody is left to answer; 499 is what the access log and aggregates record.
        state.decision = 'upstream_error';
        state.status = 499;
        if (outgoing) {
          state.deferred = true;
          options.onStreamEnd(state);
          return RESPONSE_ALREADY_SENT;
        }
        return new Response(null, { status: 499 });
      }
      if (failure.kind === 'body_too_large') {
        state.decision = 'bad_request';
        return errorResponse(c, 'payload_too_large', state.requestId, { headers: { connection: 'close' } });
      }
      state.decision = 'upstream_error';
      throw failure.error;
    }
    state.upstreamMs = performance.now() - startedUpstream;
    const headersOut = clientResponseHeaders(response.headers, state.responseHeaders);
    headersOut[REQUEST_ID_HEADER] = state.requestId;

    if (outgoing) {
      if (clientGone) {
        // The client left just as the answer arrived.
        response.body.destroy();
        state.decision = 'upstream_error';
        state.status = 499;
        state.deferred = true;
        options.onStreamEnd(state);
        return RESPONSE_ALREADY_SENT;
      }
      return streamToNode(response, headersOut, outgoing, state, options.onStreamEnd, (handler) => {
        streaming = handler;
      });
    }
    return toWebResponse(c, response, headersOut, state);
  };
}

/**
 * Writes the upstream's answer to node's response, chunk by chunk with backpressure (a full socket
 * pauses the upstream body until it drains). Neither `stream.pipeline` (an AbortController per call)
 * nor `pipe` (half a dozen listeners added and removed on both streams per response, counted with
 * the other event-listener work at several percent of the gateway's instructions): three listeners
 * on the body, which also count the bytes. The two failure paths are handled here. The request is
 * reported once, when the response closes.
 */
function streamToNode(
  response: Dispatcher.ResponseData,
  headers: OutgoingHttpHeaders,
  outgoing: NonNullable<GatewayEnv['Bindings']['outgoing']>,
  state: RequestState,
  onEnd: (state: RequestState) => void,
  onClose: (handler: (clientGone: boolean) => void) => void,
): Response {
  const body = response.body;
  try {
    outgoing.writeHead(response.statusCode, headers);
  } catch (error) {
    // An upstream header node refuses to send (invalid characters): nothing was written yet.
    body.destroy();
    throw new SentinelError(
      ErrorCode.GatewayUpstreamUnreachable,
      'Upstream sent an invalid response header',
      {
        cause: error,
      },
    );
  }
  state.deferred = true;
  state.status = response.statusCode;
  onClose((clientGone) => {
    // The client left mid-body: stop reading, which aborts the upstream request.
    if (clientGone) body.destroy();
    onEnd(state);
  });
  body.on('error', () => {
    // The upstream reset or stalled mid-body: the status is sent, so all that can be done is to cut
    // the client's connection, which tells it the body is incomplete.
    state.decision = 'upstream_error';
    outgoing.destroy();
  });
  const resume = () => body.resume();
  body.on('data', (chunk: Buffer) => {
    state.bytesOut += chunk.length;
    if (!outgoing.write(chunk) && !outgoing.destroyed) {
      body.pause();
      outgoing.once('drain', resume);
    }
  });
  body.on('end', () => outgoing.end());
  return RESPONSE_ALREADY_SENT;
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
