// A blocked client IP (checked before authentication, so a blocked address cannot even probe
// tokens) and a blocked user (after it). A block is a 403 with its expiry, Retry-After and the
// request id, distinct from a rate limit's 429. The client learns nothing of why: the evidence and
// the operator's reason stay in the blocklist item, the logs and the alert; only a reason the
// operator chose to make public (`publicReason`) is shown. A throttle found here refuses nothing:
// it is noted on the request for the rate-limit step, which applies it through the token bucket.
import type { Context } from 'hono';
import type { BlockRecord } from '../../core/shared/block-record';
import { entityKey } from '../../core/shared/entity';
import type { Blocklist } from '../blocklist/blocklist';
import { errorResponse } from '../errors';
import type { GatewayEnv, ProxyStep, RequestState } from '../request-state';

export interface BlocklistGuardOptions {
  blocklist: Blocklist;
}

function blockedResponse(
  c: Context<GatewayEnv>,
  state: RequestState,
  block: BlockRecord,
  who: 'User' | 'IP',
  now: number,
): Response {
  state.decision = 'blocked';
  const retryAfter = Math.max(1, Math.ceil((block.expiresAt * 1000 - now) / 1000));
  return errorResponse(c, 'blocked', state.requestId, {
    detail: `${who} blocked`,
    headers: { 'retry-after': String(retryAfter) },
    extra: {
      expiresAt: new Date(block.expiresAt * 1000).toISOString(),
      ...(block.publicReason ? { reason: block.publicReason } : {}),
    },
  });
}

export function ipBlock(options: BlocklistGuardOptions): ProxyStep {
  return function sentinelIpBlock(c, state) {
    // Blocks are judged at the request's arrival (state.time, from the same injected clock).
    const now = state.time;
    const block = options.blocklist.lookupKey(entityKey({ kind: 'ip', id: state.clientIp }), now);
    if (block === undefined) return undefined;
    if (block.action === 'throttle') {
      state.ipThrottle = block;
      return undefined;
    }
    return blockedResponse(c, state, block, 'IP', now);
  };
}

export function userBlock(options: BlocklistGuardOptions): ProxyStep {
  return function sentinelUserBlock(c, state) {
    const now = state.time;
    const block = options.blocklist.lookupKey(entityKey({ kind: 'user', id: state.userId! }), now);
    if (block === undefined) return undefined;
    if (block.action === 'throttle') {
      state.userThrottle = block;
      return undefined;
    }
    return blockedResponse(c, state, block, 'User', now);
  };
}
