// The first check of /proxy: the path. The raw request target is checked (not the URL the router saw, which
// has already resolved dot segments), and the upstream path is computed once. Also, for every other
// route, the refusal of dot segments in the raw path.
import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from '../errors';
import type { Logger } from '../lib/logger';
import { hasDotSegment, resolveTarget, type UpstreamBase } from '../proxy/target';
import type { GatewayEnv, ProxyStep, RequestState } from '../request-state';

export function proxyPath(base: UpstreamBase, logger: Logger): ProxyStep {
  return function sentinelProxyPath(c, state) {
    const rawTarget = c.env?.incoming?.url ?? rawTargetOf(c.req.url);
    const target = resolveTarget(rawTarget, base);
    if (!target.ok) {
      state.decision = 'bad_request';
      logger.debug('bad proxy path', { requestId: state.requestId, problem: target.problem });
      return errorResponse(c, 'bad_path', state.requestId);
    }
    state.endpoint = target.endpoint;
    state.targetPath = target.path;
    return undefined;
  };
}

function rawTargetOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start === -1 ? '/' : url.slice(start);
}

/** A 400 for a raw path with dot segments, whatever it would resolve to; undefined otherwise. */
export function refuseDotSegments(c: Context<GatewayEnv>, state: RequestState): Response | undefined {
  const raw = c.env?.incoming?.url;
  if (raw === undefined || !hasDotSegment(raw)) return undefined;
  state.decision = 'bad_request';
  return errorResponse(c, 'bad_path', state.requestId);
}

/** Runs on the routes other than /proxy (which checks its raw path itself). */
export function rejectDotSegments(): MiddlewareHandler<GatewayEnv> {
  return async function sentinelRejectDotSegments(c, next) {
    const refused = refuseDotSegments(c, c.get('state'));
    if (refused) return refused;
    await next();
  };
}
