// An ANOMALY_ALLOWLIST entry: a user, an IP, or an IP range in CIDR notation. Parsed here, in one
// place, for the config table (which validates the knob) and the detector (which matches against it).
import { isIP } from 'node:net';
import { parseEntity } from './entity';

/** One allowlist entry: a user, an IP, or an IP range in CIDR notation. */
export type AllowlistEntry =
  { kind: 'user'; id: string } | { kind: 'ip'; address: string; prefixLength: number; family: 4 | 6 };

/** Parses `user:<id>`, `ip:<address>` or `ip:<address>/<prefix length>`. */
export function parseAllowlistEntry(
  text: string,
): { ok: true; entry: AllowlistEntry } | { ok: false; problem: string } {
  const slash = text.lastIndexOf('/');
  if (text.toLowerCase().startsWith('ip:') && slash !== -1) {
    const address = text.slice(3, slash);
    const lengthText = text.slice(slash + 1);
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || !/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max) {
      return { ok: false, problem: `"${text}" is not a CIDR range such as ip:10.0.0.0/8` };
    }
    return {
      ok: true,
      entry: { kind: 'ip', address, prefixLength: Number(lengthText), family: family as 4 | 6 },
    };
  }
  const parsed = parseEntity(text);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  const { entity } = parsed;
  if (entity.kind === 'user') return { ok: true, entry: { kind: 'user', id: entity.id } };
  const family = isIP(entity.id) as 4 | 6;
  return {
    ok: true,
    entry: { kind: 'ip', address: entity.id, prefixLength: family === 6 ? 128 : 32, family },
  };
}
