// The I/O edge of configuration: read process.env and the .env file, resolve, and throw one
// ConfigError listing every problem when the result is not usable.
import { ConfigError } from './issues';
import type { ResolvedConfig, ResolveOptions, ResolveResult } from './resolve';
import { resolveConfig } from './resolve';
import type { Requirement } from './rules';
import { REQUIREMENTS_OF } from './rules';
import type { Scope } from './scope';
import { readDotenv } from './sources';

export interface LoadConfigOptions extends ResolveOptions {
  /** Highest-priority values (CLI flags, or the config object given to the library API). */
  explicit?: Record<string, unknown>;
  explicitLabel?: string;
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** A .env path; when absent, ./.env is read if it exists. */
  envFile?: string;
  /** Skip reading any .env file (the gateway container is configured by its environment only). */
  noEnvFile?: boolean;
  cwd?: string;
}

export function defaultRequirements(scope: Scope): Requirement[] {
  if (scope === 'all') return [];
  const consumers = typeof scope === 'string' ? [scope] : scope;
  return [...new Set(consumers.flatMap((c) => REQUIREMENTS_OF[c]))];
}

/** Reads the sources and resolves without throwing on configuration problems. */
export function inspectConfig(options: LoadConfigOptions = {}): ResolveResult {
  const scope = options.scope ?? 'all';
  const dotenv = options.noEnvFile ? undefined : readDotenv({ cwd: options.cwd, path: options.envFile });
  return resolveConfig(
    {
      explicit: options.explicit,
      explicitLabel: options.explicitLabel,
      env: options.env ?? process.env,
      dotenv,
    },
    { scope, require: options.require ?? defaultRequirements(scope) },
  );
}

/** Reads and resolves the configuration; throws one ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const result = inspectConfig(options);
  if (result.issues.length > 0) throw new ConfigError(result.issues);
  return result.config;
}
