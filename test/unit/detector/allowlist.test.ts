// ANOMALY_ALLOWLIST entries: users, single IPs (v4, v6, mapped) and CIDR ranges; bad entries are
// configuration errors at start-up, with the config error code.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config/load';
import { parseAllowlistEntry } from '../../../core/shared/allowlist-entry';
import { ipEntity, userEntity } from '../../../core/shared/entity';
import { ErrorCode } from '../../../core/shared/errors';
import { compileAllowlist } from '../../../lambda/anomaly-detector/allowlist';

describe('allowlist', () => {
  const allowlist = compileAllowlist([
    'user:ops-bot',
    'ip:198.51.100.7',
    'ip:10.0.0.0/8',
    'ip:2001:db8::/32',
  ]);

  it('matches users by id and IPs by address or range', () => {
    expect(allowlist.has(userEntity('ops-bot'))).toBe(true);
    expect(allowlist.has(userEntity('ops-bot2'))).toBe(false);
    expect(allowlist.has(ipEntity('198.51.100.7'))).toBe(true);
    expect(allowlist.has(ipEntity('198.51.100.8'))).toBe(false);
    expect(allowlist.has(ipEntity('10.255.0.1'))).toBe(true);
    expect(allowlist.has(ipEntity('11.0.0.1'))).toBe(false);
    expect(allowlist.has(ipEntity('::ffff:10.1.1.1'))).toBe(true);
    expect(allowlist.has(ipEntity('2001:db8:ffff::1'))).toBe(true);
    expect(allowlist.has(ipEntity('2001:db9::1'))).toBe(false);
    // A user whose id looks like an IP is still a user.
    expect(allowlist.has(userEntity('198.51.100.7'))).toBe(false);
  });

  it('parses entries and explains bad ones', () => {
    expect(parseAllowlistEntry('ip:10.0.0.0/8')).toMatchObject({
      ok: true,
      entry: { prefixLength: 8, family: 4 },
    });
    expect(parseAllowlistEntry('ip:10.0.0.0/33').ok).toBe(false);
    expect(parseAllowlistEntry('ip:nope/8').ok).toBe(false);
    expect(parseAllowlistEntry('host:x').ok).toBe(false);
    expect(() => compileAllowlist(['ip:300.1.1.1'])).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
  });

  it('is validated when the configuration is loaded', () => {
    const env = { SENTINEL_API_ANOMALY_ALLOWLIST: 'user:a, ip:10.0.0.0/8' };
    expect(loadConfig({ scope: 'detector', noEnvFile: true, env }).values.anomalyAllowlist).toEqual([
      'user:a',
      'ip:10.0.0.0/8',
    ]);
    expect(() =>
      loadConfig({
        scope: 'detector',
        noEnvFile: true,
        env: { SENTINEL_API_ANOMALY_ALLOWLIST: 'ip:1.2.3/8' },
      }),
    ).toThrow(expect.objectContaining({ code: ErrorCode.ConfigInvalid }));
  });
});
