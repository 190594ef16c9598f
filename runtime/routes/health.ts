// Liveness and readiness. /health makes no dependency call (the load balancer's health check must not
// fail because Redis blinked); /ready checks that Redis answers within its bound and that the
// blocklist snapshot has loaded, says which one is missing, and reports the snapshot's age.
import { Hono } from 'hono';
import type { GatewayDeps } from '../deps';
import { errorResponse } from '../errors';
import type { GatewayEnv } from '../request-state';

export function healthRoutes(deps: GatewayDeps): Hono<GatewayEnv> {
  const { settings } = deps;
  const routes = new Hono<GatewayEnv>();

  routes.get('/health', (c) =>
    c.json({
      status: 'ok',
      version: settings.version,
      preset: settings.preset,
      // What answers carry (SENTINEL_API_RATE_LIMIT_HEADERS): clients and `sentinel smoke` read it here.
      rateLimitHeaders: settings.rateLimitHeaders,
      backends: { ...settings.backends, rateLimiterState: deps.rateLimiter.status().state },
    }),
  );

  routes.get('/ready', async (c) => {
    const [redis, blocklist] = [await deps.rateLimiter.ping(), deps.blocklist.ready()];
    const loadedAt = deps.blocklist.loadedAt();
    // Reported, not judged: a stale snapshot still enforces every block it holds, and failing
    // readiness would take every task out at once whenever DynamoDB is unreachable.
    const blocklistAgeSeconds =
      loadedAt === undefined ? null : Math.max(0, Math.round((deps.clock.now() - loadedAt) / 1000));
    if (redis && blocklist)
      return c.json({ status: 'ready', checks: { rateLimiter: true, blocklist: true }, blocklistAgeSeconds });
    const missing = [
      ...(redis ? [] : ['rate limiter store did not answer in time']),
      ...(blocklist ? [] : ['blocklist snapshot not loaded']),
    ];
    return errorResponse(c, 'not_ready', c.get('state').requestId, {
      detail: `Not ready: ${missing.join('; ')}`,
      extra: { checks: { rateLimiter: redis, blocklist }, blocklistAgeSeconds },
    });
  });

  return routes;
}
