// Drill: the upstream killed (connections refused) and later slow (answers after the gateway's
// timeout) under steady load. The gateway answers 502 and 504 with its JSON error body, does not
// crash, and once the load is over holds no more client or upstream sockets than before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBenchUpstream,
  startGatewayProcess,
  type BenchUpstream,
  type ServiceProcess,
} from '../../bench/lib/processes';
import { bearerHeaders, gatewayEnv, startStack, type Stack } from '../../bench/lib/stack';
import { redisAvailable } from '../helpers/services';
import { burst, get, phase, sleep, socketsOn, steadyLoad } from './lib/drill';
import { recordDrill } from './lib/report';
import { recoveryMs } from './lib/timeline';

const TIMEOUT_SECONDS = 1;
/** Longer than every idle keep-alive timeout involved (the upstream's hint 5 s, the drill's client 1 s). */
const SETTLE_MS = 6_000;

describe.runIf(redisAvailable())('fault drill: upstream killed, then slow', () => {
  let stack: Stack;
  let gateway: ServiceProcess;
  let upstream: BenchUpstream;

  beforeAll(async () => {
    stack = await startStack();
    upstream = stack.upstream;
    gateway = await startGatewayProcess(
      gatewayEnv(stack, { SENTINEL_API_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) }),
    );
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await upstream?.stop('SIGKILL');
    await stack?.stop();
  });

  const errorOf = async (headers: Record<string, string>) => {
    const res = await get(`${gateway.url}/proxy/items/1`, headers);
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (await res.json()) as { error?: string },
    };
  };

  it('answers 502 then 504 with JSON bodies, survives, and leaks no sockets', async () => {
    const users = await bearerHeaders(20, 'upstream-drill');
    await burst(`${gateway.url}/proxy/items/1`, users[0]!, 200);
    await sleep(SETTLE_MS);
    const ports = [gateway.port, stack.upstream.port];
    const socketsBefore = socketsOn(gateway.pid, ports);

    const load = steadyLoad({
      origin: gateway.url,
      headers: users,
      rate: 100,
      seconds: 26,
      timeoutMs: 15_000,
    });
    await sleep(4_000);
    const killedAt = Date.now();
    await upstream.stop('SIGKILL');
    await sleep(1_000);
    const refused = await errorOf(users[1]!);
    await sleep(killedAt + 5_000 - Date.now());
    upstream = await startBenchUpstream(stack.upstream.port);
    const restartedAt = Date.now();

    await sleep(3_000);
    const slowFrom = Date.now();
    await upstream.setDelay(TIMEOUT_SECONDS * 1000 + 500);
    const timedOut = await errorOf(users[2]!);
    await sleep(slowFrom + 5_000 - Date.now());
    await upstream.setDelay(0);
    const slowTo = Date.now();
    const result = await load.done;
    await sleep(SETTLE_MS);
    const socketsAfter = socketsOn(gateway.pid, ports);

    // Requests sent just before the delay was switched on can meet it: they end the window early.
    const beforeSlow = result.timeline.filter(([sentAt]) => sentAt < slowFrom - 500);
    const afterKill = recoveryMs(beforeSlow, restartedAt, (s) => s === 200);
    const afterSlow = recoveryMs(result.timeline, slowTo, (s) => s === 200);
    const killed = phase('upstream killed', result.timeline, killedAt, restartedAt);
    const slow = phase('upstream slow', result.timeline, slowFrom, slowTo);
    recordDrill({
      drill: 'upstream killed then slow',
      phases: [
        phase('before', result.timeline, 0, killedAt),
        killed,
        phase('restarted', result.timeline, restartedAt, slowFrom),
        slow,
        phase('after', result.timeline, slowTo, Number.MAX_SAFE_INTEGER),
      ],
      recoveryMs: Math.max(afterKill, afterSlow),
      facts: {
        recoveryAfterRestartMs: afterKill,
        recoveryAfterSlowMs: afterSlow,
        refused,
        timedOut,
        socketsBefore,
        socketsAfter,
      },
    });

    expect(refused).toMatchObject({ status: 502, body: { error: 'bad_gateway' } });
    expect(refused.type).toContain('application/json');
    expect(timedOut).toMatchObject({ status: 504, body: { error: 'gateway_timeout' } });
    expect(timedOut.type).toContain('application/json');
    expect(killed.counts.byStatus['502'] ?? 0).toBeGreaterThan(0);
    expect(slow.counts.byStatus['504'] ?? 0).toBeGreaterThan(0);
    // Every answer was the upstream's 200, a 502 or a 504: nothing else, no dropped connection.
    expect(result.clientErrors).toBe(0);
    expect(
      Object.keys(phase('', result.timeline, 0, Number.MAX_SAFE_INTEGER).counts.byStatus).sort(),
    ).toEqual(['200', '502', '504']);
    expect(Number.isFinite(afterKill) && Number.isFinite(afterSlow)).toBe(true);
    expect(gateway.exited()).toBe(false);
    expect(socketsAfter).toBeLessThanOrEqual(socketsBefore);
  });
});
