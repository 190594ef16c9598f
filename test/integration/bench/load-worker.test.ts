// The fixed-rate load generator of the benches and drills against a real server on loopback: the
// warm-up is sent but not counted, and the per-request bound turns a server that never answers into
// client errors instead of a run that never ends.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadSpec } from '../../../bench/lib/load-worker';

let server: Server;
let origin: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url!);
    if (req.url === '/never') return; // holds the request open
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the fixed-rate load generator', () => {
  it('sends its warm-up at the rate and counts only what follows', async () => {
    seen.length = 0;
    const result = await runLoadSpec({
      mode: 'rate',
      rate: 200,
      warmupSec: 0.5,
      durationSec: 0.5,
      connections: 8,
      origin,
      paths: ['/a'],
      headers: [{}],
      timeline: true,
    });
    expect(seen).toHaveLength(200);
    expect(result.sent).toBe(100);
    expect(result.completed).toBe(100);
    expect(result.statuses['2xx']).toBe(100);
    expect(result.timeline).toHaveLength(100);
  });

  it('counts a request past its bound as a client error', async () => {
    const result = await runLoadSpec({
      mode: 'rate',
      rate: 100,
      durationSec: 0.1,
      connections: 10,
      timeoutMs: 200,
      origin,
      paths: ['/never', '/a'],
      headers: [{}],
    });
    expect(result.sent).toBe(10);
    expect(result.clientErrors).toBe(5);
    expect(result.completed).toBe(5);
  });
});
