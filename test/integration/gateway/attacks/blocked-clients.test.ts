// Attack: a blocked client reading the detector's thresholds from its 403, and a blocked client
// using /auth/verify as an unlimited, unblocked token oracle. Asserted at the upstream too: nothing
// of a blocked client's request reaches it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockRecord } from '../../../../core/shared/block-record';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { tokenFor } from '../../../helpers/gateway';
import { rawRequest } from '../../../helpers/raw-http';

const now = Math.floor(Date.now() / 1000);
const record = (entity: BlockRecord['entity'], extra: Partial<BlockRecord> = {}): BlockRecord => ({
  entity,
  action: 'block',
  reason: 'auth-storm: 402 failed authentications in the last 1h, 402x its usual 1, z=36.9',
  evidence: { failures: 402, zScore: 36.9 },
  blockedAt: now,
  expiresAt: now + 3600,
  source: 'detector',
  strikes: 1,
  ...extra,
});

describe('attack: what a blocked client learns, and /auth/verify', () => {
  let target: AttackTarget;
  let ipBlocked: AttackTarget;
  let limited: AttackTarget;

  beforeAll(async () => {
    [target, ipBlocked, limited] = await Promise.all([
      startAttackTarget({
        blocks: [
          record({ kind: 'user', id: 'mallory' }),
          record(
            { kind: 'user', id: 'eve' },
            { source: 'manual', reason: 'scraping, ticket 4711', publicReason: 'Contact support' },
          ),
        ],
      }),
      startAttackTarget({ blocks: [record({ kind: 'ip', id: '127.0.0.1' })] }),
      startAttackTarget({
        env: { SENTINEL_API_RATE_LIMIT_CAPACITY: '2', SENTINEL_API_RATE_LIMIT_REFILL_RATE: '0.001' },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([target?.close(), ipBlocked?.close(), limited?.close()]);
  });

  it('answers a blocked user 403 blocked with expiry, Retry-After and request id, nothing of the evidence', async () => {
    const res = await rawRequest(target.port, 'GET', '/proxy/m', [
      `Authorization: Bearer ${await tokenFor('mallory')}`,
      'X-Request-Id: attack-1',
    ]);
    expect(res.status).toBe(403);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'blocked', requestId: 'attack-1' });
    expect(new Date(body.expiresAt as string).getTime()).toBe((now + 3600) * 1000);
    expect(Number(/retry-after: (\d+)/.exec(res.head)?.[1])).toBeGreaterThan(3000);
    expect(res.body).not.toMatch(/402|36\.9|auth-storm|failures/);
    expect(body.reason).toBeUndefined();
    expect(target.arrived.some((r) => r.url === '/base/m')).toBe(false);
  });

  it("shows only the operator's public reason, never the private one", async () => {
    const res = await rawRequest(target.port, 'GET', '/proxy/e', [
      `Authorization: Bearer ${await tokenFor('eve')}`,
    ]);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'blocked', reason: 'Contact support' });
    expect(res.body).not.toMatch(/scraping|ticket 4711/);
  });

  it('refuses a blocked user on /auth/verify', async () => {
    const res = await rawRequest(target.port, 'GET', '/auth/verify', [
      `Authorization: Bearer ${await tokenFor('mallory')}`,
    ]);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'blocked' });
  });

  it('refuses a blocked IP on /auth/verify before looking at the token', async () => {
    const res = await rawRequest(ipBlocked.port, 'GET', '/auth/verify', [
      'Authorization: Bearer not.a.token',
    ]);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'blocked' });
  });

  it('rate-limits /auth/verify with the same bucket as /proxy', async () => {
    const auth = [`Authorization: Bearer ${await tokenFor('verifier')}`];
    const first = await rawRequest(limited.port, 'GET', '/auth/verify', auth);
    const second = await rawRequest(limited.port, 'GET', '/auth/verify', auth);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await rawRequest(limited.port, 'GET', '/auth/verify', auth);
    expect(third.status).toBe(429);
    const proxied = await rawRequest(limited.port, 'GET', '/proxy/after-verify', auth);
    expect(proxied.status).toBe(429);
    expect(limited.arrived).toHaveLength(0);
  });
});
