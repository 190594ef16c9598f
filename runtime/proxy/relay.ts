// Relays the upstream's answer to node's response as undici hands it over: a dispatch handler
// instead of `request()`, whose body Readable, AsyncResource and promise per answer cost more than
// the callbacks writing to the response directly.
//
// Backpressure is undici's: a chunk the response cannot take returns false from onData, which pauses
// the upstream socket until the response drains and `resume` is called.
//
// A request body being uploaded is watched (upload-watch.ts): a stalled or overdue upload is
// answered here with 408 (504 once the body is in and the answer is late), and the upstream request
// is aborted once that answer has left.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errors, util, type Dispatcher } from 'undici';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { errorBody, type HttpErrorCode } from '../errors';
import type { RequestState } from '../request-state';
import { REQUEST_ID_HEADER } from './headers';
import { watchUpload, type UploadLimits } from './upload-watch';

export interface RelayOptions {
  /** The headers sent to the client, from the upstream's (parsed as undici parses them). */
  responseHeaders(upstream: Record<string, string | string[] | undefined>): OutgoingHttpHeaders;
  /** Called once, when the response has closed after its head was sent (the request's telemetry). */
  onEnd(state: RequestState): void;
  /** Called once, when undici reports the upstream request's end (its connection is free). */
  onSettled(): void;
  /** The body being uploaded and its limits; absent for a request without a body. */
  upload?: { incoming: IncomingMessage; startedAt: number; limits: UploadLimits };
}

/** `refused`: the relay answered the client itself (a stalled upload) and aborted the upstream. */
type Phase = 'waiting' | 'streaming' | 'refused' | 'closed';

/**
 * Sends the request and resolves with `sent` once the answer's status and headers are written to
 * `outgoing` (the body follows on its own), or `client_gone` when the client left before that.
 * Rejects with undici's error when no answer came (the caller maps it to 502 or 504), or with a
 * SentinelError when node refuses an upstream header.
 */
export function relay(
  upstream: Dispatcher,
  request: Dispatcher.DispatchOptions,
  outgoing: ServerResponse,
  state: RequestState,
  options: RelayOptions,
): Promise<'sent' | 'client_gone'> {
  return new Promise((resolve, reject) => {
    let phase: Phase = 'waiting';
    let abort: ((reason: Error) => void) | undefined;
    let clientGone = false;
    let refused = false;
    let settled = false;
    let resume: (() => void) | undefined;
    const onDrain = () => resume?.();
    const settle = () => {
      if (settled) return;
      settled = true;
      if (watch) clearInterval(watch);
      options.onSettled();
    };
    // Only a request with a body is watched (and pays for the closures that takes).
    const upload = options.upload;
    const watch = upload
      ? watchUpload(upload.incoming, upload.startedAt, upload.limits, (bodyComplete) => {
          const abortUpstream = () => abort?.(new errors.RequestAbortedError());
          if (phase === 'streaming') {
            // The answer began while the body was still coming: cut both sides.
            abortUpstream();
            outgoing.destroy();
            return;
          }
          if (phase !== 'waiting') return;
          phase = 'refused';
          refused = true;
          answerExpired(outgoing, state, bodyComplete, abortUpstream);
          resolve('sent');
        })
      : undefined;

    // `on`, not `once`: a response closes once, and once() wraps the listener and removes it again.
    outgoing.on('close', () => {
      const gone = !outgoing.writableFinished;
      if (gone) {
        clientGone = true;
        // Stops the upstream request (or its body); undici then reports the abort to onError.
        abort?.(new errors.RequestAbortedError());
      }
      if (phase === 'streaming' || phase === 'refused') {
        phase = 'closed';
        options.onEnd(state);
      }
    });

    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        abort = abortRequest;
        if (clientGone || (refused && outgoing.writableFinished)) {
          abortRequest(new errors.RequestAbortedError());
        }
      },
      onHeaders(statusCode, rawHeaders, resumeBody) {
        // Informational answers (100 Continue) are not relayed; the final one follows.
        if (statusCode < 200) return true;
        if (watch) clearInterval(watch);
        if (refused) return false;
        if (clientGone) {
          // The client left just as the answer arrived.
          phase = 'closed';
          abort?.(new errors.RequestAbortedError());
          resolve('client_gone');
          return false;
        }
        resume = resumeBody;
        const headers = options.responseHeaders(
          util.parseHeaders(rawHeaders as Buffer[]) as Record<string, string | string[] | undefined>,
        );
        try {
          outgoing.writeHead(statusCode, headers);
        } catch (error) {
          // An upstream header node refuses to send (invalid characters): nothing was written yet.
          phase = 'closed';
          abort?.(new errors.RequestAbortedError());
          reject(
            new SentinelError(
              ErrorCode.GatewayUpstreamUnreachable,
              'Upstream sent an invalid response header',
              {
                cause: error,
              },
            ),
          );
          return false;
        }
        phase = 'streaming';
        state.deferred = true;
        state.status = statusCode;
        resolve('sent');
        return true;
      },
      onData(chunk) {
        state.bytesOut += chunk.length;
        if (outgoing.write(chunk) || outgoing.destroyed) return true;
        outgoing.once('drain', onDrain);
        return false;
      },
      onComplete() {
        settle();
        outgoing.end();
      },
      onError(error) {
        settle();
        if (refused) return;
        destroyBody(request.body, error);
        if (phase === 'waiting') {
          phase = 'closed';
          if (clientGone) resolve('client_gone');
          else reject(error);
        } else if (!clientGone && phase === 'streaming') {
          // The upstream reset or stalled mid-body: the status is sent, so all that can be done is
          // to cut the client's connection, which tells it the body is incomplete.
          state.decision = 'upstream_error';
          outgoing.destroy();
        }
      },
    };
    upstream.dispatch(request, handler);
  });
}

/** As undici's request() does: a request body still streaming in is destroyed with the request. */
function destroyBody(body: Dispatcher.DispatchOptions['body'], error: Error): void {
  if (body && typeof body === 'object' && 'pipe' in body && typeof body.destroy === 'function') {
    body.on('error', () => {});
    body.destroy(error);
  }
}

/** 408 for a body still arriving, 504 for one that arrived whole; the upstream is dropped after. */
function answerExpired(
  outgoing: ServerResponse,
  state: RequestState,
  bodyComplete: boolean,
  abortUpstream: () => void,
): void {
  const code: HttpErrorCode = bodyComplete ? 'gateway_timeout' : 'request_timeout';
  state.decision = bodyComplete ? 'upstream_error' : 'bad_request';
  state.status = bodyComplete ? 504 : 408;
  state.deferred = true;
  const body = JSON.stringify(errorBody(code, state.requestId));
  outgoing.writeHead(state.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    connection: 'close',
    [REQUEST_ID_HEADER]: state.requestId,
  });
  // The upstream request (and with it the client's body) is dropped once the answer has left.
  outgoing.end(body, abortUpstream);
}
