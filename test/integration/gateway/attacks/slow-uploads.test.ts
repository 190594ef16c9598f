// Attack: slow request bodies holding upstream connections, and one user taking the whole pool.
// Asserted at the upstream: a stalled upload is aborted there, a refused request never reaches it,
// and another user's request still does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { eventually, tokenFor } from '../../../helpers/gateway';
import { rawExchange, rawRequest } from '../../../helpers/raw-http';

const post = (port: number, path: string, token: string, length: number, extra: string[] = []) => [
  `POST ${path} HTTP/1.1`,
  `Host: 127.0.0.1:${port}`,
  `Authorization: Bearer ${token}`,
  `Content-Length: ${length}`,
  ...extra,
];

describe('attack: slow uploads and pool hogging', () => {
  let target: AttackTarget;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    target = await startAttackTarget({
      env: {
        SENTINEL_API_UPSTREAM_CONNECTIONS: '4',
        SENTINEL_API_BODY_IDLE_TIMEOUT_SECONDS: '0.4',
        SENTINEL_API_REQUEST_DEADLINE_SECONDS: '3',
        SENTINEL_API_UPSTREAM_QUEUE_WAIT_SECONDS: '0.3',
      },
    });
    [alice, bob, carol] = await Promise.all([tokenFor('alice'), tokenFor('bob'), tokenFor('carol')]);
  });
  afterAll(async () => {
    await target?.close();
  });

  it('answers a stalled body with 408 and aborts its upstream request', async () => {
    const path = '/proxy/stall-1';
    const exchange = rawExchange(target.port, post(target.port, path, alice, 100), 'x'.repeat(10));
    const res = await exchange.response;
    exchange.socket.destroy();
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
    await eventually(() => target.arrived.some((r) => r.url === '/base/stall-1' && r.aborted));
    const seen = target.arrived.find((r) => r.url === '/base/stall-1')!;
    expect(seen.complete).toBe(false);
  });

  it('answers 408 to a body that trickles past the total deadline, and aborts it upstream', async () => {
    const exchange = rawExchange(target.port, post(target.port, '/proxy/trickle', bob, 1000), 'x');
    // One byte every 100 ms: never idle, never done within the 3 s deadline.
    const drip = setInterval(() => exchange.write('x'), 100);
    const res = await exchange.response.finally(() => clearInterval(drip));
    exchange.socket.destroy();
    expect(res.status).toBe(408);
    await eventually(() => target.arrived.some((r) => r.url === '/base/trickle' && r.aborted));
    expect(target.arrived.find((r) => r.url === '/base/trickle')!.complete).toBe(false);
  });

  it('forwards a slow but steady large upload within the limits whole', async () => {
    const size = 512 * 1024;
    const chunk = Buffer.alloc(32 * 1024, 0x61);
    const exchange = rawExchange(target.port, post(target.port, '/proxy/steady', carol, size));
    let sent = 0;
    await new Promise<void>((resolve) => {
      const pump = setInterval(() => {
        exchange.write(chunk);
        sent += chunk.length;
        if (sent >= size) {
          clearInterval(pump);
          resolve();
        }
      }, 100);
    });
    const res = await exchange.response;
    exchange.socket.destroy();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ url: '/base/steady', bodyBytes: size });
  });

  it('caps one user at a quarter of the pool with 429 too_many_in_flight; others get through', async () => {
    // Pool of 4: alice may hold one connection. Her held request never gets an answer.
    const held = rawExchange(target.port, post(target.port, '/proxy/hold-a', alice, 0));
    await eventually(() => target.arrived.some((r) => r.url === '/base/hold-a'));
    const second = await rawRequest(target.port, 'GET', '/proxy/alice-second', [
      `Authorization: Bearer ${alice}`,
    ]);
    expect(second.status).toBe(429);
    expect(JSON.parse(second.body)).toMatchObject({ error: 'too_many_in_flight' });
    expect(second.head).toContain('retry-after:');
    expect(target.arrived.some((r) => r.url === '/base/alice-second')).toBe(false);

    const other = await rawRequest(target.port, 'GET', '/proxy/bob-get', [`Authorization: Bearer ${bob}`]);
    expect(other.status).toBe(200);
    expect(target.arrived.some((r) => r.url === '/base/bob-get' && r.complete)).toBe(true);
    held.socket.destroy();
    await eventually(() => target.arrived.some((r) => r.url === '/base/hold-a' && r.aborted));
  });

  it('bounds the wait and the queue for a connection: 503 upstream_busy with Retry-After', async () => {
    const users = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9'].map(tokenFor));
    // Four users hold the four connections.
    const holders = users
      .slice(0, 4)
      .map((t, i) => rawExchange(target.port, post(target.port, `/proxy/hold-${i}`, t, 0)));
    await eventually(() =>
      [0, 1, 2, 3].every((i) => target.arrived.some((r) => r.url === `/base/hold-${i}`)),
    );
    // Four more wait in the queue (as long as the pool) and time out; a fifth finds the queue full.
    const waiting = users
      .slice(4, 8)
      .map((t, i) => rawRequest(target.port, 'GET', `/proxy/wait-${i}`, [`Authorization: Bearer ${t}`]));
    const overflow = await rawRequest(target.port, 'GET', '/proxy/overflow', [
      `Authorization: Bearer ${users[8]}`,
    ]);
    const answers = await Promise.all(waiting);
    for (const res of [...answers, overflow]) {
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'upstream_busy' });
      expect(res.head).toMatch(/retry-after: \d+/);
    }
    expect(target.arrived.some((r) => r.url.startsWith('/base/wait-') || r.url === '/base/overflow')).toBe(
      false,
    );
    for (const h of holders) h.socket.destroy();
    await eventually(() =>
      [0, 1, 2, 3].every((i) => target.arrived.some((r) => r.url === `/base/hold-${i}` && r.aborted)),
    );
    const after = await rawRequest(target.port, 'GET', '/proxy/after', [`Authorization: Bearer ${users[8]}`]);
    expect(after.status).toBe(200);
  });
});
