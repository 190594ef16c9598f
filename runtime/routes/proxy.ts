// The /proxy route as one handler running its steps in a fixed order: path, IP block, token, user
// block, rate limit, forward. The first step that answers ends the request. One handler, not a chain
// of Hono middleware: with nothing else registered for /proxy, Hono calls it directly, without the
// chain's composed promise per middleware and per-request Headers and Map.
import type { Context, Handler } from 'hono';
import type { GatewayDeps } from '../deps';
import { authenticateStep } from '../steps/authenticate';
import { ipBlock, userBlock } from '../steps/blocklist';
import { proxyPath } from '../steps/proxy-path';
import { rateLimit } from '../steps/rate-limit';
import { newRequestState, type RequestContextOptions } from '../request-context';
import { forward } from '../proxy/forward';
import { REQUEST_ID_HEADER } from '../proxy/headers';
import { UpstreamAdmission } from '../proxy/upstream-admission';
import type { GatewayEnv, ProxyStep } from '../request-state';

export interface ProxyRouteOptions {
  context: RequestContextOptions;
  /** The response to an error a step threw (the same mapping as the app's error handler). */
  onError(error: unknown, c: Context<GatewayEnv>): Response;
}

/**
 * The checks a request passes before the gateway answers for a user, in order: IP block, token,
 * user block, rate limit. /proxy runs them after its path check; /auth/verify runs them alone, so it
 * is no unlimited token oracle open to blocked clients.
 */
export function admissionSteps(deps: GatewayDeps): ProxyStep[] {
  const { settings, logger } = deps;
  const guard = { blocklist: deps.blocklist };
  return [
    ipBlock(guard),
    authenticateStep({ verifier: deps.verifier, logger }),
    userBlock(guard),
    rateLimit({
      limiter: deps.rateLimiter,
      policy: settings.rateLimit,
      headerStyles: settings.rateLimitHeaders,
      keyPrefix: settings.rateLimitKeyPrefix,
    }),
  ];
}

export function proxyRoute(deps: GatewayDeps, options: ProxyRouteOptions): Handler<GatewayEnv> {
  const { settings, logger } = deps;
  const steps: ProxyStep[] = [
    proxyPath(settings.upstream, logger),
    ...admissionSteps(deps),
    forward({
      upstream: deps.upstream,
      admission: new UpstreamAdmission(settings.admission),
      upload: settings.upload,
      maxBodyBytes: settings.maxBodyBytes,
      forwardAuthorization: settings.forwardAuthorization,
      trustedProxyHops: settings.trustedProxyHops,
      onStreamEnd: options.context.onComplete,
    }),
  ];

  return async function sentinelProxy(c) {
    const state = newRequestState(c, options.context);
    let response: Response | undefined;
    try {
      for (const step of steps) {
        const outcome = step(c, state);
        response = outcome instanceof Promise ? await outcome : outcome;
        if (response) break;
      }
    } catch (error) {
      response = options.onError(error, c);
    }
    // forward() always answers; this is for the type checker.
    response ??= options.onError(new Error('no step answered'), c);
    if (!state.deferred) {
      response.headers.set(REQUEST_ID_HEADER, state.requestId);
      if (state.status === 0) state.status = response.status;
      options.context.onComplete(state);
    }
    return response;
  };
}
