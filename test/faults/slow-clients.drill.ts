// Drill: a few hundred connections that send their request headers one byte at a time (slowloris)
// while normal clients send a steady load. The normal clients must all be served.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type ServiceProcess } from '../../bench/lib/processes';
import { bearerHeaders, gatewayEnv, startStack, type Stack } from '../../bench/lib/stack';
import { redisAvailable } from '../helpers/services';
import { burst, phase, sleep, steadyLoad } from './lib/drill';
import { recordDrill } from './lib/report';

const SLOW_CLIENTS = 300;
const BYTE_EVERY_MS = 500;
const SLOW_FOR_MS = 12_000;

/** Opens `count` connections that each trickle a never-ending header, one byte per interval. */
function slowloris(port: number, count: number): { sockets: Socket[]; open(): number; stop(): void } {
  const header = `GET /proxy/items/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(10_000)}`;
  const sockets: Socket[] = [];
  let closed = 0;
  const timers = Array.from({ length: count }, (_, i) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('close', () => closed++);
    sockets.push(socket);
    let at = 0;
    // Spread the writes so they do not all land in the same millisecond.
    return setInterval(
      () => socket.writable && socket.write(header[at++ % header.length]!),
      BYTE_EVERY_MS + (i % 50),
    );
  });
  return {
    sockets,
    open: () => count - closed,
    stop() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
    },
  };
}

describe.runIf(redisAvailable())('fault drill: slow clients', () => {
  let stack: Stack;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    stack = await startStack();
    gateway = await startGatewayProcess(gatewayEnv(stack));
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await stack?.stop();
  });

  it(`serves normal clients while ${SLOW_CLIENTS} connections trickle their headers`, async () => {
    const users = await bearerHeaders(20, 'slow-drill');
    await burst(`${gateway.url}/proxy/items/1`, users[0]!, 200);
    const load = steadyLoad({ origin: gateway.url, headers: users, rate: 100, seconds: 20 });
    await sleep(4_000);
    const from = Date.now();
    const slow = slowloris(gateway.port, SLOW_CLIENTS);
    await sleep(SLOW_FOR_MS);
    const stillOpen = slow.open();
    slow.stop();
    const to = Date.now();
    const result = await load.done;

    const before = phase('before', result.timeline, 0, from);
    const during = phase(`${SLOW_CLIENTS} slow clients`, result.timeline, from, to);
    recordDrill({
      drill: 'slow clients',
      phases: [before, during, phase('after', result.timeline, to, Number.MAX_SAFE_INTEGER)],
      recoveryMs: 0,
      facts: { slowConnectionsStillOpenAtEnd: stillOpen, byteEveryMs: BYTE_EVERY_MS },
    });

    expect(stillOpen).toBeGreaterThan(SLOW_CLIENTS * 0.9);
    expect(during.counts.sent).toBeGreaterThan(0);
    expect(during.counts['2xx']).toBe(during.counts.sent);
    expect(result.clientErrors).toBe(0);
    expect(result.statuses['2xx']).toBe(result.sent);
    expect(gateway.exited()).toBe(false);
  });
});
