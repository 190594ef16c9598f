// Drill: the DynamoDB endpoint unreachable for 30 s (connections accepted, never answered) under
// steady load. Requests must not notice: the faulted gateway's p99 stays within 10% of a baseline
// run, a second gateway with the same load and config whose store stays healthy, measured over the
// same seconds (so that whatever else the machine does hits both alike). Telemetry is retried and
// afterwards the stored counts equal the requests sent minus the drops the gateway reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoTap, type DynamoTap } from '../../bench/lib/dynamo-tap';
import { startGatewayProcess, type ServiceProcess } from '../../bench/lib/processes';
import { bearerHeaders, gatewayEnv, startStack, storedRequests, type Stack } from '../../bench/lib/stack';
import { redisAvailable } from '../helpers/services';
import { burst, phase, sleep, steadyLoad } from './lib/drill';
import { recordDrill } from './lib/report';

const OUTAGE_MS = 30_000;
const RATE = 100;
const WARM_UP = 300;

describe.runIf(redisAvailable())('fault drill: DynamoDB unreachable for 30 s', () => {
  let stack: Stack;
  let faultyTap: DynamoTap;
  let faulted: ServiceProcess;
  let baseline: ServiceProcess;

  beforeAll(async () => {
    stack = await startStack();
    faultyTap = await startDynamoTap(stack.store.endpoint);
    const env = { SENTINEL_API_TELEMETRY_FLUSH_SECONDS: '5' };
    [faulted, baseline] = await Promise.all([
      startGatewayProcess(gatewayEnv(stack, { ...env, SENTINEL_API_DYNAMODB_ENDPOINT: faultyTap.endpoint }), {
        name: 'gateway (store unreachable)',
      }),
      startGatewayProcess(gatewayEnv(stack, env), { name: 'gateway (baseline)' }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([faulted?.stop('SIGKILL'), baseline?.stop('SIGKILL')]);
    await faultyTap?.stop();
    await stack?.stop();
  });

  it('adds no request latency, retries telemetry and loses nothing it does not report', async () => {
    const [faultedUsers, baselineUsers] = await Promise.all([
      bearerHeaders(30, 'ddb-faulted'),
      bearerHeaders(30, 'ddb-baseline'),
    ]);
    const seconds = 45;
    await Promise.all([
      burst(`${faulted.url}/proxy/items/1`, faultedUsers[0]!, WARM_UP),
      burst(`${baseline.url}/proxy/items/1`, baselineUsers[0]!, WARM_UP),
    ]);
    const f = steadyLoad({ origin: faulted.url, headers: faultedUsers, rate: RATE, seconds });
    const b = steadyLoad({ origin: baseline.url, headers: baselineUsers, rate: RATE, seconds });
    await sleep(6_000);

    const faultStart = Date.now();
    const callsBefore = faultyTap.totalCalls();
    faultyTap.setMode('blackhole');
    await sleep(OUTAGE_MS);
    const attemptsDuringOutage = faultyTap.totalCalls() - callsBefore;
    faultyTap.setMode('pass');
    const faultEnd = Date.now();
    const [fr, br] = await Promise.all([f.done, b.done]);

    // SIGTERM: the last flush writes what is left; the last metrics line reports drops.
    const exitCode = await faulted.stop('SIGTERM');
    const drops = faulted.lines
      .filter((l) => l.type === 'metrics')
      .reduce((n, l) => n + Number(l.TelemetryDrops ?? 0), 0);
    const stored = await storedRequests(stack, 'USER#ddb-faulted');
    const answered = fr.completed + WARM_UP;

    const fault = phase('store unreachable', fr.timeline, faultStart, faultEnd);
    const control = phase('baseline, same seconds', br.timeline, faultStart, faultEnd);
    recordDrill({
      drill: 'dynamodb unreachable 30 s',
      phases: [
        phase('faulted: before', fr.timeline, 0, faultStart),
        fault,
        phase('faulted: after', fr.timeline, faultEnd, Number.MAX_SAFE_INTEGER),
        control,
      ],
      recoveryMs: 0,
      facts: {
        p99RatioToBaseline: fault.p99Ms! / control.p99Ms!,
        writeAttemptsDuringOutage: attemptsDuringOutage,
        writesAfter: faultyTap.counts(),
        answered,
        storedCount: stored,
        reportedDrops: drops,
        exitCode,
      },
    });

    expect(fr.clientErrors).toBe(0);
    expect(fr.statuses['2xx']).toBe(fr.sent);
    expect(fault.p99Ms!).toBeLessThanOrEqual(control.p99Ms! * 1.1);
    expect(attemptsDuringOutage).toBeGreaterThan(0);
    expect(exitCode).toBe(0);
    expect(stored).toBe(answered - drops);
  });
});
