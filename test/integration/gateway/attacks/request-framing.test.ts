// Attack: request framing tricks the gateway must not pass on ambiguously: two Host headers, and
// `Expect: 100-continue` used to make the gateway accept a body before the client is authenticated.
// Asserted at the upstream: the refused requests never reach it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { tokenFor } from '../../../helpers/gateway';
import { rawExchange } from '../../../helpers/raw-http';

describe('attack: request framing', () => {
  let target: AttackTarget;
  let token: string;

  beforeAll(async () => {
    target = await startAttackTarget();
    token = await tokenFor('framing-user');
  });
  afterAll(async () => {
    await target?.close();
  });

  it('refuses two Host headers with 400; nothing reaches the upstream', async () => {
    const exchange = rawExchange(target.port, [
      'GET /proxy/two-hosts HTTP/1.1',
      'Host: 127.0.0.1',
      'Host: internal.example',
      `Authorization: Bearer ${token}`,
      'Connection: close',
    ]);
    const res = await exchange.response;
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'bad_request' });
    expect(target.arrived.some((r) => r.url === '/base/two-hosts')).toBe(false);
  });

  it('answers 100 Continue only after authentication', async () => {
    const head = (auth: string[]) => [
      'POST /proxy/continue HTTP/1.1',
      'Host: 127.0.0.1',
      ...auth,
      'Content-Length: 5',
      'Expect: 100-continue',
      'Connection: close',
    ];
    const refused = rawExchange(target.port, head([]));
    const denied = await refused.response;
    expect(denied.status).toBe(401);
    expect(denied.raw).not.toContain('100 Continue');
    expect(target.arrived.some((r) => r.url === '/base/continue')).toBe(false);

    const allowed = rawExchange(target.port, head([`Authorization: Bearer ${token}`]));
    allowed.socket.once('data', () => allowed.write('hello'));
    const ok = await allowed.response;
    expect(ok.raw.startsWith('HTTP/1.1 100 Continue')).toBe(true);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ url: '/base/continue', bodyBytes: 5 });
  });
});
