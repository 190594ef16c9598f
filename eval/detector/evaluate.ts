// One evaluation: generate the labelled traffic, replay both rules, score them. Shared by the
// `npm run eval:detector` command and the fast regression test.
import { loadConfig } from '../../core/config/load';
import type { Preset } from '../../core/config/knob';
import { generateTraffic, type ScenarioOptions } from './generate';
import { checkBars, score, type Bar, type Score } from './metrics';
import { replay, type BlockEvent, type RunObserver } from './replay';
import type { Traffic } from './traffic';
import type { Config } from '../../core/config/schema';

export interface Evaluation {
  ours: Score;
  original: Score;
  bars: Bar[];
  entities: number;
  runs: number;
  benignUserDays: number;
  generateMs: number;
  detectMs: number;
  totalMs: number;
  traffic: Traffic;
  oursBlocks: BlockEvent[];
}

export function evaluate(
  scenario: ScenarioOptions,
  preset: Preset = 'cost',
  env: Record<string, string | undefined> = {},
  observe?: (traffic: Traffic, config: Config) => RunObserver,
): Evaluation {
  const started = performance.now();
  const traffic = generateTraffic(scenario);
  const generateMs = performance.now() - started;
  const config = loadConfig({
    scope: 'detector',
    noEnvFile: true,
    env,
    explicit: { optimizeFor: preset },
  }).values;
  const result = replay(
    traffic,
    config,
    {
      anomalyThreshold: config.anomalyThreshold,
      anomalyMinRequests: config.anomalyMinRequests,
      ttlSeconds: config.anomalyAutoBlockTtlSeconds,
    },
    observe?.(traffic, config),
  );
  const ours = score(traffic, result.ours, result.throttled);
  return {
    ours,
    original: score(traffic, result.original),
    bars: checkBars(ours),
    entities: traffic.entities.length,
    runs: result.runs,
    benignUserDays: traffic.benignUserDays,
    generateMs,
    detectMs: result.detectMs,
    totalMs: performance.now() - started,
    traffic,
    oursBlocks: result.ours,
  };
}
