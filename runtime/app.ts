// The gateway as a Hono app, built from injected dependencies. Routes: /health (liveness),
// /ready (readiness), /auth/verify (the same IP block, token, user block and rate limit as /proxy),
// and /proxy/* with its checks in a fixed order: path, IP block, token, user block, rate limit, then
// forward (routes/proxy.ts). Telemetry is recorded for every request at the end.
import { Hono, type Context } from 'hono';
import type { GatewayDeps } from './deps';
import { rateLimitedLogger } from './lib/rate-limited-logger';
import { errorResponse, httpCodeForError } from './errors';
import { refuseDotSegments, rejectDotSegments } from './steps/proxy-path';
import { newRequestState, requestContext, type RequestContextOptions } from './request-context';
import { REQUEST_ID_HEADER } from './proxy/headers';
import type { GatewayEnv, RequestState } from './request-state';
import { healthRoutes } from './routes/health';
import { admissionSteps, proxyRoute } from './routes/proxy';

export function createApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const { settings, logger, clock } = deps;
  // Failures repeat on every request while the upstream is down: one line per kind a minute.
  const failures = rateLimitedLogger(logger, clock);
  const record = (state: RequestState) => {
    try {
      deps.telemetry.record(state);
    } catch (error) {
      logger.error('telemetry record failed', { error });
    }
  };
  const context: RequestContextOptions = {
    clock,
    trustedProxyHops: settings.trustedProxyHops,
    onComplete: record,
    defaultAddress: deps.defaultClientAddress,
    generateRequestId: deps.generateRequestId,
  };
  const onError = (error: unknown, c: Context<GatewayEnv>) => {
    const state = c.get('state');
    const code = httpCodeForError(error);
    if (code === 'internal_error') {
      failures.error('unhandled error', { requestId: state?.requestId, error });
      if (state) state.decision = 'upstream_error';
    } else {
      failures.info(`request failed: ${code}`, { requestId: state?.requestId, code, error });
    }
    return errorResponse(c, code, state?.requestId ?? '');
  };
  const app = new Hono<GatewayEnv>();

  // Every route but /proxy (which does the same inside its one handler).
  for (const path of ['/health', '/ready', '/auth/verify']) {
    app.use(path, requestContext(context), rejectDotSegments());
  }
  app.route('/', healthRoutes(deps));

  const verifySteps = admissionSteps(deps);
  app.get('/auth/verify', async (c) => {
    const state = c.get('state');
    for (const step of verifySteps) {
      const outcome = step(c, state);
      const refused = outcome instanceof Promise ? await outcome : outcome;
      if (refused) return refused;
    }
    const identity = state.identity!;
    for (const name in state.responseHeaders) c.header(name, state.responseHeaders[name]);
    return c.json({
      authenticated: true,
      userId: identity.userId,
      tokenId: identity.tokenId ?? null,
      expiresAt: identity.expiresAt === undefined ? null : new Date(identity.expiresAt * 1000).toISOString(),
    });
  });

  const proxy = proxyRoute(deps, { context, onError });
  app.all('/proxy', proxy);
  app.all('/proxy/*', proxy);

  app.notFound((c) => {
    // Unknown paths reach here without the request context; a known path with another method with it.
    const existing = c.get('state') as RequestState | undefined;
    const state = existing ?? newRequestState(c, context);
    const refused = refuseDotSegments(c, state);
    if (!refused) state.decision = 'not_found';
    const response = refused ?? errorResponse(c, 'not_found', state.requestId);
    if (!existing) {
      response.headers.set(REQUEST_ID_HEADER, state.requestId);
      state.status = response.status;
      record(state);
    }
    return response;
  });

  app.onError(onError);

  return app;
}
