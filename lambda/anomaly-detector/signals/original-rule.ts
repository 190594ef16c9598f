// The original product's rule, verbatim, for comparison (the evaluation prints it beside ours) and
// for the tests that check ours still fires where it fired. Users only, every request counted.
import type { Entity } from '../../../core/shared/entity';
import type { DetectInput } from '../input';
import { computeWindows, RECENT_HOURS } from '../windows';

export interface OriginalRuleSettings {
  anomalyThreshold: number;
  anomalyMinRequests: number;
}

export interface OriginalAnomaly {
  entity: Entity;
  current: number;
  baselineAverage: number;
  ratio: number;
}

/**
 * current = requests in the 4 newest buckets; baseline average = requests in the 32 before / 8,
 * floored at 1; anomalous when current >= min requests and current / average >= threshold.
 */
export function originalRule(
  input: DetectInput,
  settings: OriginalRuleSettings,
  now: number,
): OriginalAnomaly[] {
  // The original counted 5xx answers and requests refused by a block too: a view of the input
  // without either, sharing its columns.
  const zeros = new Float64Array(input.entities.length);
  const view: DetectInput = {
    entities: input.entities,
    buckets: input.buckets.map((b) => ({ ...b, errors5xx: zeros, blocked: undefined })),
  };
  const w = computeWindows(view, now, 0);
  const found: OriginalAnomaly[] = [];
  for (let e = 0; e < input.entities.length; e++) {
    if (input.entities[e]!.kind !== 'user') continue;
    const current = w.hours[0]![e]!;
    if (current < settings.anomalyMinRequests) continue;
    let baseline = 0;
    for (let h = 1; h < RECENT_HOURS; h++) baseline += w.hours[h]![e]!;
    const baselineAverage = Math.max(1, baseline / (RECENT_HOURS - 1));
    const ratio = current / baselineAverage;
    if (ratio >= settings.anomalyThreshold) {
      found.push({ entity: input.entities[e]!, current, baselineAverage, ratio });
    }
  }
  return found.sort((a, b) => b.ratio - a.ratio);
}
