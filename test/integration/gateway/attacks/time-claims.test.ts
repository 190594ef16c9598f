// Attack: correctly signed tokens with absurd time claims (a 500 from /auth/verify, a token that
// never expires, a token "issued" in the future). Asserted at the upstream: none of them gets through.
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { TEST_SECRET } from '../../../helpers/gateway';
import { rawRequest } from '../../../helpers/raw-http';

/** Signed with the gateway's secret, claims exactly as given (no iat added). */
const sign = (claims: JWTPayload) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_SECRET));

const now = () => Math.floor(Date.now() / 1000);

describe('attack: time claims', () => {
  let target: AttackTarget;

  beforeAll(async () => {
    target = await startAttackTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it.each([
    ['exp 1e300', () => ({ exp: 1e300 })],
    ['exp past year 9999', () => ({ exp: 253_402_300_800 })],
    ['nbf 1e300', () => ({ exp: now() + 60, nbf: 1e300 })],
    ['iat 1e300', () => ({ exp: now() + 60, iat: 1e300 })],
    ['iat an hour ahead', () => ({ exp: now() + 7200, iat: now() + 3600 })],
    ['exp as a string', () => ({ exp: String(now() + 60) as unknown as number })],
  ])('refuses %s with 401 on /auth/verify and /proxy; nothing reaches the upstream', async (name, claims) => {
    const token = await sign({ sub: `time-${name}`, ...claims() });
    const auth = [`Authorization: Bearer ${token}`];
    const verify = await rawRequest(target.port, 'GET', '/auth/verify', auth);
    expect(verify.status).toBe(401);
    expect(JSON.parse(verify.body)).toMatchObject({ error: 'invalid_token' });
    const proxied = await rawRequest(target.port, 'GET', '/proxy/time', auth);
    expect(proxied.status).toBe(401);
    expect(target.arrived).toHaveLength(0);
  });

  it('accepts an iat within the clock skew', async () => {
    const token = await sign({ sub: 'skewed', exp: now() + 60, iat: now() + 10 });
    const res = await rawRequest(target.port, 'GET', '/auth/verify', [`Authorization: Bearer ${token}`]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ authenticated: true, userId: 'skewed' });
  });
});
