// Which knobs a command validates strictly: those read by the parts of the product it runs.
import type { Consumer } from './knob';
import type { ConfigKey } from './schema';
import { knobFor } from './schema';

export type Scope = 'all' | Consumer | readonly Consumer[];

export function inScope(key: ConfigKey, scope: Scope): boolean {
  if (scope === 'all') return true;
  const consumers: readonly Consumer[] = typeof scope === 'string' ? [scope] : scope;
  return knobFor(key).consumers.some((c) => consumers.includes(c));
}
