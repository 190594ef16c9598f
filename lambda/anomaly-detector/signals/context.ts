// What every signal sees: the windows, the baselines and the knobs, for one run.
import type { Entity } from '../../../core/shared/entity';
import type { Baselines } from '../baseline';
import type { SignalHit } from '../decision';
import type { DetectorSettings } from '../settings';
import type { Windows } from '../windows';

export interface SignalContext {
  entities: readonly Entity[];
  windows: Windows;
  baselines: Baselines;
  settings: DetectorSettings;
}

/** A signal looks at entity `e` and fires or not. */
export type Signal = (ctx: SignalContext, e: number) => SignalHit | undefined;

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const fmt = (value: number) => integer.format(value);
export const fmt1 = (value: number) => (Math.round(value * 10) / 10).toString();
