// Attack: getting past an IP block by spelling the address another way (IPv4-mapped IPv6, zeros
// written out) or by rotating through an IPv6 /64. Behind one trusted hop the client address is the
// last X-Forwarded-For entry. Asserted at the upstream: a blocked client's request never arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockRecord } from '../../../../core/shared/block-record';
import { parseEntity } from '../../../../core/shared/entity';
import { startAttackTarget, type AttackTarget } from '../../../helpers/attack-target';
import { tokenFor } from '../../../helpers/gateway';
import { rawRequest } from '../../../helpers/raw-http';

const now = Math.floor(Date.now() / 1000);
/** A block as `sentinel blocklist add` stores it: the entity through parseEntity. */
const block = (text: string): BlockRecord => {
  const parsed = parseEntity(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return {
    entity: parsed.entity,
    action: 'block',
    reason: 'manual',
    blockedAt: now,
    expiresAt: now + 3600,
    source: 'manual',
    strikes: 1,
  };
};

describe('attack: IP spellings and ranges', () => {
  let target: AttackTarget;
  let token: string;

  beforeAll(async () => {
    target = await startAttackTarget({
      env: { SENTINEL_API_TRUSTED_PROXY_HOPS: '1' },
      blocks: [
        block('ip:6.6.6.6'),
        block('ip:0:0:0:0:0:0:0:9'),
        block('ip:2001:db8:1:2::77/64'),
        block('ip:198.51.100.0/24'),
      ],
    });
    token = await tokenFor('ip-user');
  });
  afterAll(async () => {
    await target?.close();
  });

  const from = (address: string, path: string) =>
    rawRequest(target.port, 'GET', path, [`Authorization: Bearer ${token}`, `X-Forwarded-For: ${address}`]);

  it.each([
    ['6.6.6.6', 'plain'],
    ['::ffff:6.6.6.6', 'mapped'],
    ['0:0:0:0:0:ffff:606:606', 'mapped-hex'],
    ['[::FFFF:0606:0606]', 'mapped-bracketed'],
    ['::9', 'short'],
    ['0000:0000::0009', 'zeros'],
    ['2001:db8:1:2:dead:beef:1:1', 'v6-range'],
    ['2001:0DB8:0001:0002::1', 'v6-range-spelled'],
    ['198.51.100.200', 'v4-range'],
  ])('refuses %s (%s) with 403; nothing reaches the upstream', async (address, name) => {
    const res = await from(address, `/proxy/ip-${name}`);
    expect(res.status).toBe(403);
    expect(target.arrived.some((r) => r.url === `/base/ip-${name}`)).toBe(false);
  });

  it.each([
    ['6.6.6.7', 'neighbour'],
    ['2001:db8:1:3::1', 'next-64'],
    ['198.51.101.1', 'next-24'],
  ])('lets %s (%s) through', async (address, name) => {
    expect((await from(address, `/proxy/ok-${name}`)).status).toBe(200);
    expect(target.arrived.some((r) => r.url === `/base/ok-${name}`)).toBe(true);
  });
});
