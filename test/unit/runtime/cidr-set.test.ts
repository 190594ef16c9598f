// Ranges in the blocklist snapshot: longest prefix first, v4 and v6, expiry checked per range.
import { describe, expect, it } from 'vitest';
import type { BlockRecord } from '../../../core/shared/block-record';
import { parseCidr } from '../../../core/shared/ip';
import { CidrSet } from '../../../runtime/blocklist/cidr-set';
import { BlocklistSnapshot } from '../../../runtime/blocklist/snapshot';

describe('CidrSet', () => {
  it('finds the longest range holding an address, in either family', () => {
    const set = new CidrSet<string>();
    for (const range of ['10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32', '2001:db8:1:2::/64', '0.0.0.0/0']) {
      set.add(parseCidr(range)!, range);
    }
    expect(set.lookup('10.1.2.3')).toBe('10.1.0.0/16');
    expect(set.lookup('10.2.0.1')).toBe('10.0.0.0/8');
    expect(set.lookup('192.0.2.1')).toBe('0.0.0.0/0');
    expect(set.lookup('2001:db8:1:2:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(set.lookup('2001:db8:9::1')).toBe('2001:db8::/32');
    expect(set.lookup('2001:db9::1')).toBeUndefined();
    expect(set.lookup('10.1.2.3', (v) => v !== '10.1.0.0/16')).toBe('10.0.0.0/8');
  });
});

describe('BlocklistSnapshot ranges', () => {
  const block = (id: string, expiresAt: number): BlockRecord => ({
    entity: { kind: 'ip', id },
    action: 'block',
    reason: 'r',
    blockedAt: 0,
    expiresAt,
    source: 'manual',
    strikes: 1,
  });

  it('blocks every address of a range until the range expires', () => {
    const snapshot = new BlocklistSnapshot(
      [block('2001:db8:1:2::/64', 100), block('198.51.100.0/24', 50)],
      0,
    );
    expect(snapshot.lookupKey('IP#2001:db8:1:2:abcd::1', 10_000)).toBeDefined();
    expect(snapshot.lookupKey('IP#2001:db8:1:3::1', 10_000)).toBeUndefined();
    expect(snapshot.lookupKey('IP#198.51.100.77', 10_000)).toBeDefined();
    expect(snapshot.lookupKey('IP#198.51.100.77', 60_000)).toBeUndefined();
    expect(snapshot.lookupKey('USER#198.51.100.77', 10_000)).toBeUndefined();
  });
});
