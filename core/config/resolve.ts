// Pure configuration resolution: explicit > environment > .env > preset > default, with the legacy
// bare names below the prefixed ones at each level. Reports every problem at once, as data.
import type { Knob, Preset } from './knob';
import { bareEnvName, DEFAULT_PRESET, envName, ENV_PREFIX } from './knob';
import type { ConfigIssue } from './issues';
import { checkRequirements, type Requirement } from './rules';
import type { Config, ConfigKey } from './schema';
import { CONFIG_KEYS, keyForEnvName, knobFor } from './schema';
import type { RawSources, ValueSource } from './sources';
import { inScope, type Scope } from './scope';
import { suggestName } from './suggest';

export interface ResolveOptions {
  /** Knobs validated strictly; a bad value outside the scope is a warning and falls back. @default 'all' */
  scope?: Scope;
  /** Cross-field requirements to enforce (e.g. an upstream and a JWT source). @default [] */
  require?: readonly Requirement[];
}

export interface ResolvedConfig {
  values: Config;
  sources: Record<ConfigKey, ValueSource>;
  preset: Preset;
  warnings: ConfigIssue[];
}

/**
 * Resolution always yields a best-effort config (bad values fall back) so callers such as
 * `sentinel config` can show it next to the problems; `issues` empty means it is usable.
 */
export interface ResolveResult {
  config: ResolvedConfig;
  issues: ConfigIssue[];
}

interface Candidate {
  raw: string;
  source: ValueSource;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function toRaw(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

/** Every raw value given for a key, highest priority first, with where it came from. */
function candidates(key: ConfigKey, knob: Knob<unknown>, sources: RawSources): Candidate[] {
  const found: Candidate[] = [];
  const explicit = sources.explicit?.[key];
  if (present(explicit)) {
    found.push({
      raw: toRaw(explicit),
      source: { kind: 'explicit', name: sources.explicitLabel ?? 'argument' },
    });
  }
  const names: Array<{ name: string; alias: boolean }> = [{ name: envName(key), alias: false }];
  if (knob.legacyAlias) names.push({ name: bareEnvName(key), alias: true });
  for (const { name, alias } of names) {
    const value = sources.env[name];
    if (present(value)) found.push({ raw: value!, source: { kind: 'env', name, alias } });
  }
  if (sources.dotenv) {
    for (const { name, alias } of names) {
      const value = sources.dotenv.values[name];
      if (present(value))
        found.push({ raw: value!, source: { kind: 'dotenv', name, alias, file: sources.dotenv.file } });
    }
  }
  return found;
}

const isAlias = (source: ValueSource) => (source.kind === 'env' || source.kind === 'dotenv') && source.alias;

function fallback(knob: Knob<unknown>, preset: Preset): { value: unknown; source: ValueSource } {
  if (knob.presets) return { value: knob.presets[preset], source: { kind: 'preset', preset } };
  if (knob.default !== undefined) return { value: knob.default, source: { kind: 'default' } };
  return { value: undefined, source: { kind: 'unset' } };
}

function problemFor(knob: Knob<unknown>, raw: string, problem: string): string {
  return knob.secret ? problem : `${problem} (got "${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}")`;
}

export function resolveConfig(sources: RawSources, options: ResolveOptions = {}): ResolveResult {
  const scope = options.scope ?? 'all';
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const values: Record<string, unknown> = {};
  const origin: Record<string, ValueSource> = {};

  // The preset decides other knobs' fallbacks, so it resolves first; a bad preset is reported and
  // the default preset keeps the rest of the resolution going so every problem shows in one run.
  let preset: Preset = DEFAULT_PRESET;
  const ordered = ['optimizeFor' as ConfigKey, ...CONFIG_KEYS.filter((k) => k !== 'optimizeFor')];

  // Legacy bare names (LOG_LEVEL, AWS_REGION...) are common in shells for other tools: a value
  // that does not parse as ours is skipped with a warning, never an error.
  const ignoredAliases = new Map<string, ConfigIssue>();

  for (const key of ordered) {
    const knob = knobFor(key);
    let chosen = false;
    for (const candidate of candidates(key, knob, sources)) {
      const parsed = knob.type.parse(candidate.raw);
      if (parsed.ok) {
        values[key] = parsed.value;
        origin[key] = candidate.source;
        if (key === 'optimizeFor') preset = parsed.value as Preset;
        chosen = true;
        break;
      }
      const issue: ConfigIssue = {
        variable: envName(key),
        problem: problemFor(knob, candidate.raw, parsed.problem),
        hint: parsed.hint,
        source: candidate.source,
      };
      if (isAlias(candidate.source)) {
        const name = (candidate.source as { name: string }).name;
        const warning = {
          variable: name,
          problem: `${issue.problem}, so it is ignored (it is the legacy name of ${envName(key)})`,
          hint: parsed.hint,
        };
        ignoredAliases.set(envName(key), warning);
        warnings.push(warning);
        continue;
      }
      (inScope(key, scope) ? issues : warnings).push(issue);
      break;
    }
    if (chosen) continue;
    const { value, source } = fallback(knob, preset);
    values[key] = value;
    origin[key] = source;
  }

  warnings.push(...unknownVariables(sources));

  const config = values as Config;
  for (const requirement of checkRequirements(config, options.require ?? [], scope)) {
    // One message per variable: a value that did not parse already says what is wrong with it.
    if (issues.some((i) => i.variable === requirement.variable)) continue;
    const ignored = ignoredAliases.get(requirement.variable);
    if (ignored) {
      warnings.splice(warnings.indexOf(ignored), 1);
      issues.push({
        ...requirement,
        problem: `${requirement.problem} (${ignored.variable} ${ignored.problem})`,
        hint: ignored.hint,
      });
    } else issues.push(requirement);
  }
  return {
    config: { values: config, sources: origin as Record<ConfigKey, ValueSource>, preset, warnings },
    issues,
  };
}

/** Typos in SENTINEL_API_* names would otherwise be silently ignored. */
function unknownVariables(sources: RawSources): ConfigIssue[] {
  const names = new Set<string>();
  for (const name of Object.keys(sources.env)) if (name.startsWith(ENV_PREFIX)) names.add(name);
  for (const name of Object.keys(sources.dotenv?.values ?? {}))
    if (name.startsWith(ENV_PREFIX)) names.add(name);
  const known = CONFIG_KEYS.map(envName);
  const result: ConfigIssue[] = [];
  for (const name of names) {
    if (keyForEnvName(name)) continue;
    const suggestion = suggestName(name, known);
    result.push({
      variable: name,
      problem: 'is not a SentinelAPI setting and is ignored',
      hint: suggestion
        ? `did you mean ${suggestion}?`
        : 'see the configuration table in docs/configuration.md',
    });
  }
  return result;
}
