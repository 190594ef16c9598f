// Canonical IP text (RFC 5952, IPv4-mapped folded) and CIDR ranges, and their use by parseEntity.
import { describe, expect, it } from 'vitest';
import { parseEntity } from '../../../core/shared/entity';
import { canonicalIp, parseCidr } from '../../../core/shared/ip';

describe('canonicalIp', () => {
  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['[::1]', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:6.6.6.6', '6.6.6.6'],
    ['0:0:0:0:0:ffff:606:606', '6.6.6.6'],
    ['::FFFF:0606:0606', '6.6.6.6'],
    [' 203.0.113.7 ', '203.0.113.7'],
  ])('%s is %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  it.each(['not-an-ip', '1.2.3', '1.2.3.256', '::g', ''])('%s is no address', (text) => {
    expect(canonicalIp(text)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['2001:db8:1:2:abcd::1/64', '2001:db8:1:2::/64'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['10.0.0.1/32', '10.0.0.1'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('%s is %s', (text, canonical) => {
    expect(parseCidr(text)?.text).toBe(canonical);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/x', '10.0.0.0/', 'x/8', '::ffff:10.0.0.0/64'])(
    '%s is no range',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});

describe('parseEntity on IPs', () => {
  it('stores the canonical form, ranges included', () => {
    expect(parseEntity('ip:0:0:0:0:0:0:0:1')).toEqual({ ok: true, entity: { kind: 'ip', id: '::1' } });
    expect(parseEntity('ip:0:0:0:0:0:ffff:606:606')).toEqual({
      ok: true,
      entity: { kind: 'ip', id: '6.6.6.6' },
    });
    expect(parseEntity('ip:2001:db8:1:2:3::9/64')).toEqual({
      ok: true,
      entity: { kind: 'ip', id: '2001:db8:1:2::/64' },
    });
    expect(parseEntity('ip:10.0.0.0/40').ok).toBe(false);
  });
});
