// The configuration `sentinel dev` runs the real gateway and detector with: the user's resolved
// settings, plus what the local stack supplies (store endpoint, tables, demo upstream, a generated
// secret) and faster loops where the user left the production defaults alone. Pure.
import { envName } from '../../core/config/knob';
import type { ConfigKey } from '../../core/config/schema';
import type { ResolvedConfig } from '../../core/config/resolve';
import type { ValueSource } from '../../core/config/sources';
import type { TableNames } from '../../core/shared/table-setup';

export interface DevFacts {
  port: number;
  dynamodbEndpoint: string;
  tables: TableNames;
  /** Set when no upstream is configured and the demo upstream stands in. */
  demoUpstreamUrl?: string;
  /** Set when no JWT source is configured; lives only in this process's memory. */
  generatedSecret?: string;
}

/**
 * Production defaults that make a laptop demo slow or quiet; used only when the user did not set
 * them. The terminal shows every request, so every request gets its access log line.
 */
export const DEV_DEFAULTS: Partial<Record<ConfigKey, unknown>> = {
  blocklistRefreshSeconds: 2,
  telemetryFlushSeconds: 2,
  accessLog: 'all',
};

const DEV_SOURCE: ValueSource = { kind: 'explicit', name: 'sentinel dev' };
const UNSET_KINDS = new Set(['default', 'preset', 'unset']);

export function devConfig(resolved: ResolvedConfig, facts: DevFacts): ResolvedConfig {
  const values = { ...resolved.values } as Record<ConfigKey, unknown>;
  const sources = { ...resolved.sources };
  const warnings = [...resolved.warnings];
  const set = (key: ConfigKey, value: unknown) => {
    // A setting the user made and dev replaces is said out loud, never silently dropped.
    const source = resolved.sources[key];
    if (source && !UNSET_KINDS.has(source.kind) && resolved.values[key] !== value) {
      warnings.push({
        variable: envName(key),
        problem: 'is overridden by sentinel dev',
        hint: 'the local stack needs its own value; the setting applies when deployed',
        source,
      });
    }
    values[key] = value;
    sources[key] = DEV_SOURCE;
  };
  set('port', facts.port);
  set('dynamodbEndpoint', facts.dynamodbEndpoint);
  set('requestLogsTableName', facts.tables.requestLogs);
  set('trafficAggregateTableName', facts.tables.trafficAggregates);
  set('blocklistTableName', facts.tables.blocklist);
  // Local clients connect directly: X-Forwarded-For from them is never trusted.
  set('trustedProxyHops', 0);
  // Alerts print in the terminal; nothing reaches a real topic from a laptop demo.
  set('alertTopicArn', undefined);
  if (facts.demoUpstreamUrl) set('upstreamBaseUrl', facts.demoUpstreamUrl);
  if (facts.generatedSecret) {
    set('jwtSecretKey', facts.generatedSecret);
    set('jwtAlgorithm', 'HS256');
  }
  for (const [key, value] of Object.entries(DEV_DEFAULTS) as Array<[ConfigKey, unknown]>) {
    const origin = resolved.sources[key].kind;
    if (origin === 'default' || origin === 'preset') set(key, value);
  }
  return { ...resolved, values: values as ResolvedConfig['values'], sources, warnings };
}
