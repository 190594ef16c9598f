// Each drill prints its figures and stores them as JSON under bench/results/drills/ (ignored by
// git), so that a run leaves the numbers behind for docs/performance.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from '../../../bench/lib/results';
import { formatTable } from '../../../bench/lib/table';
import type { Counts } from './timeline';

export interface DrillPhase {
  phase: string;
  counts: Counts;
  worstLatencyMs: number;
  p99Ms?: number;
}

export interface DrillReport {
  drill: string;
  phases: DrillPhase[];
  /** Time to recover after the fault, ms (Infinity: did not recover). */
  recoveryMs?: number;
  facts?: Record<string, unknown>;
}

export function recordDrill(report: DrillReport): void {
  const rows = report.phases.map((p) => [
    p.phase,
    p.counts.sent,
    p.counts['2xx'],
    p.counts['4xx'],
    p.counts['5xx'],
    p.counts.clientErrors,
    p.p99Ms ?? Number.NaN,
    p.worstLatencyMs,
  ]);
  const lines = [
    `\n== drill: ${report.drill}`,
    formatTable(['phase', 'sent', '2xx', '4xx', '5xx', 'client errors', 'p99 ms', 'worst ms'], rows),
  ];
  if (report.recoveryMs !== undefined) lines.push(`time to recover: ${Math.round(report.recoveryMs)} ms`);
  if (report.facts) lines.push(`facts: ${JSON.stringify(report.facts)}`);
  console.log(lines.join('\n'));
  const dir = join(RESULTS_DIR, 'drills');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    { ...report, date: new Date().toISOString() },
    (_key, value: unknown) => (value === Number.POSITIVE_INFINITY ? 'Infinity' : value),
    2,
  );
  writeFileSync(join(dir, `${report.drill.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`), `${json}\n`);
}
