// Runs the same load against every scenario, one after the other, over several rounds with the order
// rotated each round, so that drift on the machine (other work, thermal, noisy neighbours) hits all
// scenarios alike; reports the median of the rounds.
import { cpuTimeMs } from './cpu';
import { runLoad } from './load';
import type { LoadResult, LoadSpec, LoadTarget } from './load-spec';
import { median, sum } from './stats';

export interface Scenario extends LoadTarget {
  name: string;
  /** Processes whose CPU time is counted per request (the server under test first). */
  pids: number[];
}

export type LoadShape =
  | { mode: 'saturate'; connections: number; durationSec: number }
  | { mode: 'rate'; rate: number; connections: number; durationSec: number; warmupSec?: number };

export interface RunSample {
  result: LoadResult;
  /** CPU µs per answered request of each process in `pids`, in order. */
  cpuPerRequestUs: number[];
}

export interface ScenarioSummary {
  name: string;
  rounds: number;
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  /** Answered with a non-2xx status, or not answered, over all rounds. */
  errors: number;
  requests: number;
  /** Median CPU µs per request of the server under test. */
  serverCpuUs: number;
  samples: RunSample[];
}

export async function runOnce(scenario: Scenario, shape: LoadShape): Promise<RunSample> {
  const before = scenario.pids.map(cpuTimeMs);
  const spec = {
    ...shape,
    origin: scenario.origin,
    paths: scenario.paths,
    headers: scenario.headers,
  } as LoadSpec;
  const result = await runLoad(spec);
  const cpuPerRequestUs = scenario.pids.map(
    (pid, i) => ((cpuTimeMs(pid) - before[i]!) * 1000) / Math.max(1, result.completed),
  );
  return { result, cpuPerRequestUs };
}

export async function runRounds(
  scenarios: Scenario[],
  shape: LoadShape,
  rounds: number,
  onSample?: (scenario: Scenario, round: number, sample: RunSample) => void,
): Promise<ScenarioSummary[]> {
  const samples = new Map<string, RunSample[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < scenarios.length; k++) {
      const scenario = scenarios[(k + round) % scenarios.length]!;
      const sample = await runOnce(scenario, shape);
      samples.get(scenario.name)!.push(sample);
      onSample?.(scenario, round, sample);
    }
  }
  return scenarios.map((scenario) => summarize(scenario.name, samples.get(scenario.name)!));
}

export function summarize(name: string, samples: RunSample[]): ScenarioSummary {
  const pick = (f: (r: LoadResult) => number) => median(samples.map((s) => f(s.result)));
  return {
    name,
    rounds: samples.length,
    rps: pick((r) => r.rps),
    p50: pick((r) => r.latency.p50),
    p99: pick((r) => r.latency.p99),
    p999: pick((r) => r.latency.p999),
    errors: sum(samples.map((s) => s.result.completed - s.result.statuses['2xx'] + s.result.clientErrors)),
    requests: sum(samples.map((s) => s.result.sent)),
    serverCpuUs: median(samples.map((s) => s.cpuPerRequestUs[0] ?? Number.NaN)),
    samples,
  };
}
