// Drill: Redis stopped for 10 s under steady load, then started again on the same port. A gateway in
// failure mode `open` keeps answering (no 5xx) and still limits with its own bucket; one in `closed`
// answers 503 during the outage. Both go back to Redis within 5 s of its return, without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type ServiceProcess } from '../../bench/lib/processes';
import { bearerHeaders, gatewayEnv, startStack, type Stack } from '../../bench/lib/stack';
import { redisAvailable } from '../helpers/services';
import { burst, firstTrue, get, phase, sleep, steadyLoad } from './lib/drill';
import { recordDrill } from './lib/report';
import { recoveryMs } from './lib/timeline';

const OUTAGE_MS = 10_000;
const RECOVERY_BAR_MS = 5_000;
const CAPACITY = 50;
const REFILL = 5;

describe.runIf(redisAvailable())('fault drill: Redis stopped for 10 s', () => {
  let stack: Stack;
  let open: ServiceProcess;
  let closed: ServiceProcess;

  beforeAll(async () => {
    stack = await startStack();
    const env = (mode: string) =>
      gatewayEnv(stack, {
        SENTINEL_API_RATE_LIMIT_FAILURE_MODE: mode,
        SENTINEL_API_RATE_LIMIT_CAPACITY: String(CAPACITY),
        SENTINEL_API_RATE_LIMIT_REFILL_RATE: String(REFILL),
      });
    [open, closed] = await Promise.all([
      startGatewayProcess(env('open'), { name: 'gateway (open)' }),
      startGatewayProcess(env('closed'), { name: 'gateway (closed)' }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([open?.stop('SIGKILL'), closed?.stop('SIGKILL')]);
    await stack?.stop();
  });

  it('open keeps serving and limiting per task, closed answers 503, both recover within 5 s', async () => {
    // 100 users at 150 req/s each gateway: 1.5 req/s per user, below the refill rate, never limited.
    const users = await bearerHeaders(100, 'redis-drill');
    const [probe, warm] = await bearerHeaders(2, 'redis-drill-probe');
    const seconds = 26;
    // Warm both (JIT, pools, token cache) so that "before" is steady state.
    await Promise.all([open, closed].map((g) => burst(`${g.url}/proxy/items/1`, warm!, 200)));
    const openLoad = steadyLoad({ origin: open.url, headers: users, rate: 150, seconds });
    const closedLoad = steadyLoad({ origin: closed.url, headers: users, rate: 150, seconds });
    await sleep(5_000);

    const faultStart = Date.now();
    await stack.redis.stop();
    await sleep(2_000);
    // During the outage the open gateway limits with its own bucket: a burst beyond the capacity is refused.
    const burstStarted = Date.now();
    const probeStatuses = await burst(`${open.url}/proxy/items/1`, probe!, CAPACITY + 40, 16);
    const burstSeconds = (Date.now() - burstStarted) / 1000;
    const closedAnswer = await get(`${closed.url}/proxy/items/1`, users[0]!);
    const closedBody = (await closedAnswer.json()) as { error?: string };
    await sleep(faultStart + OUTAGE_MS - Date.now());

    await stack.redis.start();
    const faultEnd = Date.now();
    const healthOk = (g: ServiceProcess) => async () => {
      const health = (await (await get(`${g.url}/health`)).json()) as {
        backends: { rateLimiterState: string };
      };
      return health.backends.rateLimiterState === 'ok';
    };
    const [openBack, closedBack] = await Promise.all([
      firstTrue(healthOk(open), 15_000),
      firstTrue(healthOk(closed), 15_000),
    ]);
    const [o, c] = await Promise.all([openLoad.done, closedLoad.done]);

    const closedRecovery = recoveryMs(c.timeline, faultEnd, (s) => s === 200);
    const end = faultEnd + 10_000;
    recordDrill({
      drill: 'redis stopped 10 s',
      phases: [
        phase('open: before', o.timeline, 0, faultStart),
        phase('open: Redis down', o.timeline, faultStart, faultEnd),
        phase('open: after', o.timeline, faultEnd, end),
        phase('closed: before', c.timeline, 0, faultStart),
        phase('closed: Redis down', c.timeline, faultStart, faultEnd),
        phase('closed: after', c.timeline, faultEnd, end),
      ],
      recoveryMs: Math.max(
        closedRecovery,
        (openBack ?? Infinity) - faultEnd,
        (closedBack ?? Infinity) - faultEnd,
      ),
      facts: {
        openBackOnRedisMs: openBack === undefined ? null : openBack - faultEnd,
        closedBackOnRedisMs: closedBack === undefined ? null : closedBack - faultEnd,
        closedServingAgainMs: closedRecovery,
        probeBurst: {
          sent: probeStatuses.length,
          allowed: probeStatuses.filter((s) => s === 200).length,
          limited: probeStatuses.filter((s) => s === 429).length,
          seconds: burstSeconds,
        },
        closedAnswerDuringOutage: { status: closedAnswer.status, error: closedBody.error },
      },
    });

    // open: never a 5xx, never a client error; the per-task bucket still limits.
    expect(o.statuses['5xx']).toBe(0);
    expect(o.clientErrors).toBe(0);
    const allowed = probeStatuses.filter((s) => s === 200).length;
    expect(probeStatuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(allowed).toBeGreaterThanOrEqual(CAPACITY);
    expect(allowed).toBeLessThanOrEqual(CAPACITY + Math.ceil(REFILL * burstSeconds) + 1);
    // closed: 503 rate_limiter_unavailable while Redis is away.
    expect(closedAnswer.status).toBe(503);
    expect(closedBody.error).toBe('rate_limiter_unavailable');
    const down = phase('', c.timeline, faultStart + 1_000, faultEnd).counts;
    expect(down.byStatus['503'] ?? 0).toBeGreaterThan(0);
    // Both back on Redis within 5 s, the closed one serving again, neither restarted.
    expect(openBack! - faultEnd).toBeLessThanOrEqual(RECOVERY_BAR_MS);
    expect(closedBack! - faultEnd).toBeLessThanOrEqual(RECOVERY_BAR_MS);
    expect(closedRecovery).toBeLessThanOrEqual(RECOVERY_BAR_MS);
    expect(open.exited()).toBe(false);
    expect(closed.exited()).toBe(false);
  });
});
