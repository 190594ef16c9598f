// Steps 2 and 4 of /proxy: a blocked client IP (before authentication, so a blocked address cannot
// even probe tokens) and a blocked user (after it). A block is a 403 with its reason and expiry,
// distinct from a rate limit's 429.
import type { Context, MiddlewareHandler } from 'hono';
import type { BlockRecord } from '../../src/shared/block-record';
import { entityKey } from '../../src/shared/entity';
import type { Blocklist } from '../blocklist/blocklist';
import { errorResponse } from '../errors';
import type { Clock } from '../lib/clock';
import type { GatewayEnv } from '../request-state';

export interface BlocklistGuardOptions {
  blocklist: Blocklist;
  clock: Clock;
}

function blockedResponse(
  c: Context<GatewayEnv>,
  block: BlockRecord,
  who: 'User' | 'IP',
  now: number,
): Response {
  const state = c.get('state');
  state.decision = 'blocked';
  const retryAfter = Math.max(1, Math.ceil((block.expiresAt * 1000 - now) / 1000));
  return errorResponse(c, 'blocked', state.requestId, {
    detail: `${who} blocked`,
    headers: { 'retry-after': String(retryAfter) },
    extra: { reason: block.reason, expiresAt: new Date(block.expiresAt * 1000).toISOString() },
  });
}

export function ipBlock(options: BlocklistGuardOptions): MiddlewareHandler<GatewayEnv> {
  return async function sentinelIpBlock(c, next) {
    const state = c.get('state');
    const now = options.clock.now();
    const block = options.blocklist.lookupKey(entityKey({ kind: 'ip', id: state.clientIp }), now);
    if (block) return blockedResponse(c, block, 'IP', now);
    await next();
  };
}

export function userBlock(options: BlocklistGuardOptions): MiddlewareHandler<GatewayEnv> {
  return async function sentinelUserBlock(c, next) {
    const state = c.get('state');
    const now = options.clock.now();
    const block = options.blocklist.lookupKey(entityKey({ kind: 'user', id: state.userId! }), now);
    if (block) return blockedResponse(c, block, 'User', now);
    await next();
  };
}
