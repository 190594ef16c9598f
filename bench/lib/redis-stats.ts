// Redis commands the gateway sent, from `INFO commandstats` deltas. The server also counts the
// commands a script runs inside Redis (TIME, GET, SET of the token bucket) and our own INFO calls;
// those are told apart so that what is left is what clients sent over the wire.
import type { Redis } from 'ioredis';
import { TOKEN_BUCKET_SCRIPT } from '../../runtime/rate-limit/lua';

export type CommandStats = Record<string, number>;

/** Commands the token bucket script runs inside Redis (each run counts them too). */
export const SCRIPT_COMMANDS = new Set(
  [...TOKEN_BUCKET_SCRIPT.matchAll(/redis\.p?call\('(\w+)'/g)].map((m) => m[1]!.toLowerCase()),
);
/** Commands the bench itself sends to read the counters. */
const OWN_COMMANDS = new Set(['info', 'config|resetstat']);

export async function commandStats(client: Redis): Promise<CommandStats> {
  const text = (await client.info('commandstats')) as string;
  const stats: CommandStats = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats[match[1]!] = Number(match[2]);
  return stats;
}

export interface CommandDelta {
  /** Commands clients sent, by name (script-internal and the bench's own excluded). */
  sent: Record<string, number>;
  total: number;
  /** Script runs (EVALSHA + EVAL). */
  scriptRuns: number;
}

export function commandDelta(before: CommandStats, after: CommandStats): CommandDelta {
  const sent: Record<string, number> = {};
  let total = 0;
  for (const [name, calls] of Object.entries(after)) {
    const n = calls - (before[name] ?? 0);
    if (n <= 0 || OWN_COMMANDS.has(name) || SCRIPT_COMMANDS.has(name)) continue;
    sent[name] = n;
    total += n;
  }
  return { sent, total, scriptRuns: (sent.evalsha ?? 0) + (sent.eval ?? 0) };
}
