// The one table of CLI options shared across commands, and the mapping from option values to
// configuration knobs (flags are the highest-priority configuration source).
import { Option } from 'commander';
import { envName } from '../../core/config/knob';
import type { LoadConfigOptions } from '../../core/config/load';
import type { ConfigKey } from '../../core/config/schema';
import { knobFor } from '../../core/config/schema';

export const commonOptions = {
  json: () => new Option('--json', 'print machine-readable JSON on stdout'),
  yes: () => new Option('-y, --yes', 'do not ask for confirmation (required when not in a terminal)'),
  envFile: () => new Option('--env-file <path>', 'read settings from this file instead of ./.env'),
  debug: () => new Option('--debug', 'print stack traces of errors'),
};

/**
 * An option that sets a configuration knob, e.g. `--region` for awsRegion. Its help text comes from
 * the schema and names the environment variable it overrides, so both stay in step.
 */
export function knobOption(key: ConfigKey, flags: string): Option {
  const knob = knobFor(key);
  return new Option(flags, `${knob.description} (overrides ${envName(key)})`);
}

/** Options that map to knobs, keyed by commander's camelCase attribute name. */
export type KnobFlagMap = Partial<Record<string, ConfigKey>>;

export const KNOB_FLAGS = {
  region: 'awsRegion',
  preset: 'optimizeFor',
  upstream: 'upstreamBaseUrl',
  port: 'port',
  imageUri: 'gatewayImageUri',
  issuer: 'jwtIssuer',
  audience: 'jwtAudience',
} as const satisfies KnobFlagMap;

/** Picks the knob values set by flags out of a command's parsed options. */
export function explicitFromOptions(
  options: Record<string, unknown>,
  map: KnobFlagMap = KNOB_FLAGS,
): Record<string, unknown> {
  const explicit: Record<string, unknown> = {};
  for (const [attribute, key] of Object.entries(map)) {
    if (key && options[attribute] !== undefined) explicit[key] = options[attribute];
  }
  return explicit;
}

/** loadConfig options from a command's flags: explicit values, --env-file, the process env. */
export function configSources(
  options: { envFile?: string },
  ctx: { env: Record<string, string | undefined>; cwd: string },
): Pick<LoadConfigOptions, 'explicit' | 'explicitLabel' | 'env' | 'envFile' | 'cwd'> {
  return {
    explicit: explicitFromOptions(options as Record<string, unknown>),
    explicitLabel: 'flag',
    env: ctx.env,
    envFile: options.envFile,
    cwd: ctx.cwd,
  };
}
