// The one table of configuration knobs, assembled from the per-area files in ./knobs. Everything
// that names a knob (resolver, .env.example, docs/configuration.md's table, template parameters) iterates this.
import type { Consumer, Knob, KnobValue } from './knob';
import { envName } from './knob';
import { authKnobs } from './knobs/auth';
import { coreKnobs } from './knobs/core';
import { deployKnobs } from './knobs/deploy';
import { detectorKnobs } from './knobs/detector';
import { gatewayKnobs } from './knobs/gateway';
import { storageKnobs } from './knobs/storage';

export const schema = {
  ...coreKnobs,
  ...authKnobs,
  ...gatewayKnobs,
  ...storageKnobs,
  ...detectorKnobs,
  ...deployKnobs,
} as const;

export type Schema = typeof schema;
export type ConfigKey = keyof Schema;
/** The fully resolved, typed configuration. */
export type Config = { [K in ConfigKey]: KnobValue<Schema[K]> };

export const CONFIG_KEYS = Object.keys(schema) as ConfigKey[];

export function knobFor(key: ConfigKey): Knob<unknown> {
  return schema[key] as Knob<unknown>;
}

export function consumedBy(consumer: Consumer): ConfigKey[] {
  return CONFIG_KEYS.filter((key) => knobFor(key).consumers.includes(consumer));
}

const byEnvName = new Map(CONFIG_KEYS.map((key) => [envName(key), key]));

/** The config key for a `SENTINEL_API_*` variable name, if it is one of ours. */
export function keyForEnvName(name: string): ConfigKey | undefined {
  return byEnvName.get(name);
}
