// ANOMALY_ALLOWLIST as a matcher: users by id, IPs by address or CIDR range. Allowlisted entities
// are still detected and reported — an operator wants to know — but never blocked.
import { BlockList, isIP } from 'node:net';
import { parseAllowlistEntry } from '../../core/shared/allowlist-entry';
import type { Entity } from '../../core/shared/entity';
import { ErrorCode, SentinelError } from '../../core/shared/errors';

export interface Allowlist {
  has(entity: Entity): boolean;
}

/** Compiles the knob's entries; a malformed entry is a configuration error, raised at start-up. */
export function compileAllowlist(entries: readonly string[]): Allowlist {
  const users = new Set<string>();
  const ranges = new BlockList();
  for (const text of entries) {
    const parsed = parseAllowlistEntry(text);
    if (!parsed.ok) {
      throw new SentinelError(ErrorCode.ConfigInvalid, `SENTINEL_API_ANOMALY_ALLOWLIST: ${parsed.problem}`, {
        hint: 'write entries as user:<id>, ip:<address> or ip:<address>/<prefix length>, comma-separated',
      });
    }
    const { entry } = parsed;
    if (entry.kind === 'user') users.add(entry.id);
    else ranges.addSubnet(entry.address, entry.prefixLength, entry.family === 6 ? 'ipv6' : 'ipv4');
  }
  return {
    has(entity) {
      if (entity.kind === 'user') return users.has(entity.id);
      const family = isIP(entity.id);
      return family !== 0 && ranges.check(entity.id, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
