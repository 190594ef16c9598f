// Step 1 of /proxy: the path. The raw request target is checked (not the URL the router saw, which
// has already resolved dot segments), and the upstream path is computed once.
import type { MiddlewareHandler } from 'hono';
import { errorResponse } from '../errors';
import { hasDotSegment, resolveTarget, type UpstreamBase } from '../proxy/target';
import type { GatewayEnv } from '../request-state';
import type { Logger } from '../lib/logger';

export function proxyPath(base: UpstreamBase, logger: Logger): MiddlewareHandler<GatewayEnv> {
  return async function sentinelProxyPath(c, next) {
    const state = c.get('state');
    const rawTarget = c.env?.incoming?.url ?? rawTargetOf(c.req.url);
    const target = resolveTarget(rawTarget, base);
    if (!target.ok) {
      state.decision = 'bad_request';
      logger.debug('bad proxy path', { requestId: state.requestId, problem: target.problem });
      return errorResponse(c, 'bad_path', state.requestId);
    }
    state.endpoint = target.endpoint;
    state.targetPath = target.path;
    await next();
  };
}

function rawTargetOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start === -1 ? '/' : url.slice(start);
}

/** Runs on every route: a raw path with dot segments is a 400, whatever it would resolve to. */
export function rejectDotSegments(): MiddlewareHandler<GatewayEnv> {
  return async function sentinelRejectDotSegments(c, next) {
    const raw = c.env?.incoming?.url;
    if (raw !== undefined && hasDotSegment(raw)) {
      const state = c.get('state');
      state.decision = 'bad_request';
      return errorResponse(c, 'bad_path', state.requestId);
    }
    await next();
  };
}
