// The gateway as a Hono app, built from injected dependencies. Routes: /health (liveness),
// /ready (readiness), /auth/verify, and /proxy/* with its checks in a fixed order: path, IP block,
// token, user block, rate limit, then forward. Telemetry is recorded for every request at the end.
import { Hono } from 'hono';
import type { GatewayDeps } from './deps';
import { errorResponse, httpCodeForError } from './errors';
import { authenticate } from './middleware/authenticate';
import { ipBlock, userBlock } from './middleware/blocklist';
import { proxyPath, rejectDotSegments } from './middleware/proxy-path';
import { rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { forward } from './proxy/forward';
import type { GatewayEnv } from './request-state';
import { healthRoutes } from './routes/health';

export function createApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const { settings, logger, clock } = deps;
  const record = (state: Parameters<GatewayDeps['telemetry']['record']>[0]) => {
    try {
      deps.telemetry.record(state);
    } catch (error) {
      logger.error('telemetry record failed', { error });
    }
  };
  const app = new Hono<GatewayEnv>();

  app.use(
    '*',
    requestContext({
      clock,
      trustedProxyHops: settings.trustedProxyHops,
      onComplete: record,
      defaultAddress: deps.defaultClientAddress,
      generateRequestId: deps.generateRequestId,
    }),
  );

  app.use('*', rejectDotSegments());
  app.route('/', healthRoutes(deps));

  app.get('/auth/verify', authenticate({ verifier: deps.verifier, logger }), (c) => {
    const identity = c.get('state').identity!;
    return c.json({
      authenticated: true,
      userId: identity.userId,
      tokenId: identity.tokenId ?? null,
      expiresAt: identity.expiresAt === undefined ? null : new Date(identity.expiresAt * 1000).toISOString(),
    });
  });

  const guard = { blocklist: deps.blocklist, clock };
  const chain = [
    proxyPath(settings.upstream, logger),
    ipBlock(guard),
    authenticate({ verifier: deps.verifier, logger }),
    userBlock(guard),
    rateLimit({
      limiter: deps.rateLimiter,
      policy: settings.rateLimit,
      keyPrefix: settings.rateLimitKeyPrefix,
    }),
    forward({
      upstream: deps.upstream,
      maxBodyBytes: settings.maxBodyBytes,
      forwardAuthorization: settings.forwardAuthorization,
      trustedProxyHops: settings.trustedProxyHops,
      onStreamEnd: record,
    }),
  ] as const;
  app.all('/proxy', ...chain);
  app.all('/proxy/*', ...chain);

  app.notFound((c) => {
    const state = c.get('state');
    state.decision = 'bad_request';
    return errorResponse(c, 'not_found', state.requestId);
  });

  app.onError((error, c) => {
    const state = c.get('state');
    const code = httpCodeForError(error);
    if (code === 'internal_error') {
      logger.error('unhandled error', { requestId: state?.requestId, error });
      if (state) state.decision = 'upstream_error';
    } else {
      logger.info('request failed', { requestId: state?.requestId, code, error });
    }
    return errorResponse(c, code, state?.requestId ?? '');
  });

  return app;
}
