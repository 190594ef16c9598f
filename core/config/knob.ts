// The shape of one configuration knob. Every knob is declared once (in core/config/knobs/) and
// everything else — resolution, .env.example, the table in docs/configuration.md, template parameters — derives from it.
import type { ValueType } from './value-types';

export const PRESETS = ['cost', 'performance'] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = 'cost';

/** Which parts of the product read a knob. */
export type Consumer = 'cli' | 'gateway' | 'detector' | 'template';

export const ENV_PREFIX = 'SENTINEL_API_';

export interface KnobOptions<T> {
  description: string;
  /** Value when neither the user nor a preset sets one. */
  default?: T;
  /** Per-preset values; they win over `default`. */
  presets?: Record<Preset, T>;
  /** Never printed, logged or echoed in an error; passed to AWS only as NoEcho / Secrets Manager. */
  secret?: boolean;
  consumers: readonly Consumer[];
  /** Also accept the bare environment name (the original's legacy alias), below the prefixed one. */
  legacyAlias?: boolean;
  /** Shown in `.env.example` (commented out unless `required`). */
  example?: string;
  /** Set by the stack (table names, topic ARN): users normally leave it alone. */
  wiredByStack?: boolean;
}

export interface Knob<T, HasDefault extends boolean = boolean> extends KnobOptions<T> {
  readonly type: ValueType<T>;
  readonly __hasDefault?: HasDefault;
}

export function knob<T>(
  type: ValueType<T>,
  options: KnobOptions<NoInfer<T>> & ({ default: NoInfer<T> } | { presets: Record<Preset, NoInfer<T>> }),
): Knob<T, true>;
export function knob<T>(type: ValueType<T>, options: KnobOptions<NoInfer<T>>): Knob<T, false>;
export function knob<T>(type: ValueType<T>, options: KnobOptions<T>): Knob<T> {
  return { type, ...options };
}

/** The resolved type of a knob: optional knobs without a default may be undefined. */
export type KnobValue<K> = K extends Knob<infer T, infer D> ? (D extends true ? T : T | undefined) : never;

/** `upstreamBaseUrl` -> `UPSTREAM_BASE_URL`: the environment name is derived, never spelled twice. */
export function bareEnvName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function envName(key: string): string {
  return ENV_PREFIX + bareEnvName(key);
}
