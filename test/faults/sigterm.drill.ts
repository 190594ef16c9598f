// Drill: SIGTERM under load, as ECS stops a task. Requests in flight finish (slow ones included),
// telemetry is flushed (the stored counts equal the requests answered), the process exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type ServiceProcess } from '../../bench/lib/processes';
import { bearerHeaders, gatewayEnv, startStack, storedRequests, type Stack } from '../../bench/lib/stack';
import { redisAvailable } from '../helpers/services';
import { burst, firstTrue, get, phase, sleep, steadyLoad } from './lib/drill';
import { recordDrill } from './lib/report';
import { between, countsOf } from './lib/timeline';

const SLOW_REQUESTS = 20;
const SLOW_MS = 2_000;
const WARM_UP = 200;
/** Requests sent this close to the signal may meet a connection being closed before they were read. */
const RACE_MS = 200;

describe.runIf(redisAvailable())('fault drill: SIGTERM under load', () => {
  let stack: Stack;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    stack = await startStack();
    // No periodic flush in the window: whatever is stored was written by the shutdown.
    gateway = await startGatewayProcess(
      gatewayEnv(stack, {
        SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '300',
        SENTINEL_API_SHUTDOWN_GRACE_SECONDS: '10',
      }),
    );
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await stack?.stop();
  });

  it('finishes in-flight requests, flushes telemetry and exits 0', async () => {
    const users = await bearerHeaders(20, 'sigterm-drill');
    // One user each: a single user's requests in flight are capped (SENTINEL_API_USER_CONCURRENCY).
    const slowUsers = await bearerHeaders(SLOW_REQUESTS, 'sigterm-slow');
    await burst(`${gateway.url}/proxy/items/1`, users[0]!, WARM_UP);
    const load = steadyLoad({ origin: gateway.url, headers: users, rate: 100, seconds: 10 });
    await sleep(3_000);

    const servedBefore = await stack.upstream.served();
    const slow = slowUsers.map((slowUser) =>
      get(`${gateway.url}/proxy/slow?ms=${SLOW_MS}`, slowUser).then(
        async (res) => ({ status: res.status, body: await res.text() }),
        () => ({ status: 0, body: '' }),
      ),
    );
    // In flight: the upstream has received them (and the steady load's requests meanwhile).
    await firstTrue(
      async () => (await stack.upstream.served()) - servedBefore >= SLOW_REQUESTS + 10,
      5_000,
      20,
    );
    const signalledAt = Date.now();
    const exited = gateway.stop('SIGTERM');
    const slowAnswers = await Promise.all(slow);
    const exitCode = await exited;
    const exitMs = Date.now() - signalledAt;
    const result = await load.done;

    const stored = await storedRequests(stack, 'USER#sigterm-');
    const answered = WARM_UP + result.completed + slowAnswers.filter((a) => a.status !== 0).length;
    const beforeSignal = countsOf(between(result.timeline, 0, signalledAt - RACE_MS));
    const lines = gateway.lines;
    recordDrill({
      drill: 'sigterm under load',
      phases: [
        phase('before SIGTERM', result.timeline, 0, signalledAt),
        phase('after SIGTERM', result.timeline, signalledAt, Number.MAX_SAFE_INTEGER),
      ],
      facts: {
        exitCode,
        exitMs,
        slowAnswered: slowAnswers.filter((a) => a.status === 200).length,
        answered,
        storedCount: stored,
        lastLine: lines.at(-1),
      },
    });

    expect(slowAnswers.map((a) => a.status)).toEqual(Array(SLOW_REQUESTS).fill(200));
    expect(beforeSignal.clientErrors).toBe(0);
    expect(beforeSignal['2xx']).toBe(beforeSignal.sent);
    expect(exitCode).toBe(0);
    expect(stored).toBe(answered);
    expect(lines.some((l) => l.type === 'metrics')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });
});
