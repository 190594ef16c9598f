// Rendering resolved values for people: secrets are never shown, only whether they are set, and a
// credential inside any other value (a password in a Redis URL, a token in a JWKS URL's query) is
// replaced by the one redaction (core/shared/redact-secrets.ts).
import { REDACTED, redactSecrets, redactSecretsDeep } from '../shared/redact-secrets';
import type { ConfigIssue } from './issues';
import { envName } from './knob';
import { describeSource } from './issues';
import type { ResolvedConfig } from './resolve';
import type { ConfigKey } from './schema';
import { CONFIG_KEYS, knobFor } from './schema';

export { REDACTED, redactSecrets };

export interface ConfigRow {
  key: ConfigKey;
  variable: string;
  /** Display value; `REDACTED` for a set secret, undefined when unset. */
  value: string | undefined;
  source: string;
  secret: boolean;
}

export function displayValue(key: ConfigKey, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const knob = knobFor(key);
  if (knob.secret) return REDACTED;
  return redactSecrets(knob.type.format(value));
}

export function configRows(config: ResolvedConfig): ConfigRow[] {
  return CONFIG_KEYS.map((key) => ({
    key,
    variable: envName(key),
    value: displayValue(key, config.values[key]),
    source: describeSource(config.sources[key]),
    secret: knobFor(key).secret === true,
  }));
}

/** The resolved values with every secret replaced, safe to print or return from the library API. */
export function redactedValues(config: ResolvedConfig): Record<ConfigKey, unknown> {
  const out = {} as Record<ConfigKey, unknown>;
  for (const key of CONFIG_KEYS) {
    const value = config.values[key];
    out[key] = value !== undefined && knobFor(key).secret ? REDACTED : redactSecretsDeep(value);
  }
  return out;
}

/** A configuration issue or warning, safe to print. */
export function redactIssue<T extends ConfigIssue>(issue: T): T {
  return redactSecretsDeep(issue);
}
