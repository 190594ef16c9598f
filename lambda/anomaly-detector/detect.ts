// The pure detection core: buckets in, decisions out. No I/O and no clock: `now` is given, so the
// handler, the tests and the offline evaluation run exactly the same code on the same numbers.
import { BUCKET_MS, BUCKETS_PER_HOUR } from '../../src/shared/buckets';
import { compileAllowlist } from './allowlist';
import { BASELINE_SOURCES, computeBaselines } from './baseline';
import type { Decision, Detection, SignalHit } from './decision';
import { SIGNAL_PRIORITY } from './decision';
import type { DetectInput } from './input';
import { assertValidInput } from './input';
import type { DetectorSettings } from './settings';
import { authStorm } from './signals/auth-storm';
import type { Signal, SignalContext } from './signals/context';
import { enumeration } from './signals/enumeration';
import { ramp } from './signals/ramp';
import { rateLimitSaturation } from './signals/rate-limit';
import { bucketBurst, hourVolume } from './signals/volume';
import { computeWindows } from './windows';

const SIGNALS: readonly Signal[] = [
  hourVolume,
  bucketBurst,
  ramp,
  authStorm,
  enumeration,
  rateLimitSaturation,
];
const rank = (hit: SignalHit) => SIGNAL_PRIORITY.indexOf(hit.signal);

/**
 * Decides which entities are anomalous in the hour that ends at the last complete bucket before
 * `now` (epoch ms). Reads the current hour, the 8 hours before it and the same hour (±2 h) on the
 * `anomalyHistoryDays` earlier days; other buckets are ignored. Decisions are sorted by score.
 */
export function detect(input: DetectInput, settings: DetectorSettings, now: number): Detection {
  assertValidInput(input);
  const windows = computeWindows(input, now, settings.anomalyHistoryDays);
  const baselines = computeBaselines(input.entities, windows, settings);
  const ctx: SignalContext = { entities: input.entities, windows, baselines, settings };
  const allowlist = compileAllowlist(settings.anomalyAllowlist);
  const decisions: Decision[] = [];
  for (let e = 0; e < input.entities.length; e++) {
    let hits: SignalHit[] | undefined;
    for (const signal of SIGNALS) {
      const hit = signal(ctx, e);
      if (hit) (hits ??= []).push(hit);
    }
    if (!hits) continue;
    hits.sort((a, b) => rank(a) - rank(b));
    const entity = input.entities[e]!;
    decisions.push({
      ...hits[0]!,
      entity,
      baselineSource: BASELINE_SOURCES[baselines.source[e]!]!,
      otherSignals: hits.slice(1).map((h) => h.signal),
      allowlisted: allowlist.has(entity),
    });
  }
  decisions.sort((a, b) => b.score - a.score || b.ratio - a.ratio);
  return {
    now,
    windowStart: windows.currentHourStart,
    windowEnd: windows.currentHourStart + BUCKETS_PER_HOUR * BUCKET_MS,
    decisions,
    population: baselines.population,
  };
}
