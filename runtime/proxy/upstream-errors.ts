// What an undici failure means for the client: a timeout is 504, a refused or broken connection 502,
// an oversized body 413, and an abort caused by the client leaving is no response at all.
import { ErrorCode, isSentinelError, SentinelError } from '../../core/shared/errors';

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export type UpstreamFailure =
  | { kind: 'timeout'; error: SentinelError }
  | { kind: 'unreachable'; error: SentinelError }
  | { kind: 'body_too_large'; error: SentinelError }
  | { kind: 'client_gone' };

export function classifyUpstreamError(error: unknown, clientGone: boolean): UpstreamFailure {
  if (isSentinelError(error) && error.code === ErrorCode.GatewayBodyTooLarge) {
    return { kind: 'body_too_large', error };
  }
  if (clientGone) return { kind: 'client_gone' };
  const code = (error as { code?: string }).code ?? '';
  if (TIMEOUTS.has(code)) {
    return {
      kind: 'timeout',
      error: new SentinelError(ErrorCode.GatewayUpstreamTimeout, 'Upstream did not answer in time', {
        cause: error,
      }),
    };
  }
  return {
    kind: 'unreachable',
    error: new SentinelError(
      ErrorCode.GatewayUpstreamUnreachable,
      `Upstream request failed (${code || 'error'})`,
      {
        cause: error,
      },
    ),
  };
}
