// Attack: user ids that dodge a block, get a bucket of their own, or break the forwarded header.
// Asserted at the upstream: a refused token sends nothing, and a valid id arrives in its documented
// encoding (percent-encoded UTF-8 outside visible ASCII).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockRecord } from '../../../../core/shared/block-record';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { tokenFor } from '../../../helpers/gateway';
import { rawRequest } from '../../../helpers/raw-http';

const now = Math.floor(Date.now() / 1000);
const aliceBlock: BlockRecord = {
  entity: { kind: 'user', id: 'alice' },
  action: 'block',
  reason: 'manual',
  blockedAt: now,
  expiresAt: now + 3600,
  source: 'manual',
  strikes: 1,
};

describe('attack: user id tricks', () => {
  let target: AttackTarget;

  beforeAll(async () => {
    target = await startAttackTarget({ blocks: [aliceBlock] });
  });
  afterAll(async () => {
    await target?.close();
  });

  const get = async (sub: string, path: string) =>
    rawRequest(target.port, 'GET', path, [`Authorization: Bearer ${await tokenFor(sub)}`]);

  it.each(['alice ', ' alice', 'alice\u200b', 'a\u2028b', 'alice\t', '\u202ealice'])(
    'refuses the sub %j with 401 invalid_token; nothing reaches the upstream',
    async (sub) => {
      const path = `/proxy/uid-${Buffer.from(sub).toString('hex')}`;
      const res = await get(sub, path);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_token' });
      expect(target.arrived.some((r) => r.url === `/base${path.slice(6)}`)).toBe(false);
    },
  );

  it('still blocks alice herself', async () => {
    const res = await get('alice', '/proxy/alice');
    expect(res.status).toBe(403);
    expect(target.arrived.some((r) => r.url === '/base/alice')).toBe(false);
  });

  it.each([
    ['张伟', '%E5%BC%A0%E4%BC%9F'],
    ['100%', '100%25'],
    ['a b', 'a%20b'],
    ['bob@example.com', 'bob@example.com'],
  ])('forwards the sub %j as X-Sentinel-User-Id %s', async (sub, header) => {
    const path = `/proxy/fwd-${encodeURIComponent(header)}`;
    const res = await get(sub, path);
    expect(res.status).toBe(200);
    const seen = target.arrived.find((r) => r.url === `/base${path.slice(6)}`)!;
    expect(seen.headers['x-sentinel-user-id']).toBe(header);
    expect(decodeURIComponent(seen.headers['x-sentinel-user-id'] as string)).toBe(sub);
  });
});
