// What a drill reads from the load's timeline (every request: send time, latency, status; status 0
// is a client-side error), pure: counts in a window, worst latency, time to recover.
import type { TimelineEntry } from '../../../bench/lib/load-spec';

export interface Counts {
  sent: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
  clientErrors: number;
  byStatus: Record<string, number>;
}

/** Requests sent in [fromMs, toMs). */
export function between(timeline: TimelineEntry[], fromMs: number, toMs: number): TimelineEntry[] {
  return timeline.filter(([sentAt]) => sentAt >= fromMs && sentAt < toMs);
}

export function countsOf(entries: TimelineEntry[]): Counts {
  const counts: Counts = {
    sent: entries.length,
    '2xx': 0,
    '4xx': 0,
    '5xx': 0,
    clientErrors: 0,
    byStatus: {},
  };
  for (const [, , status] of entries) {
    if (status === 0) counts.clientErrors++;
    else if (status >= 500) counts['5xx']++;
    else if (status >= 400) counts['4xx']++;
    else if (status >= 200 && status < 300) counts['2xx']++;
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
  }
  return counts;
}

export function worstLatencyMs(entries: TimelineEntry[]): number {
  return entries.reduce((worst, [, latency]) => Math.max(worst, latency), 0);
}

/** The latency below which a share `q` of the entries fall (nearest rank); 0 when empty. */
export function percentileMs(entries: TimelineEntry[], q: number): number {
  if (entries.length === 0) return 0;
  const sorted = entries.map(([, latency]) => latency).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Milliseconds from `fromMs` (the fault's end) to the send time of the first request after which
 * every request is `ok`: 0 when none failed after `fromMs`, Infinity when failures last to the end.
 */
export function recoveryMs(
  timeline: TimelineEntry[],
  fromMs: number,
  ok: (status: number) => boolean,
): number {
  const after = timeline.filter(([sentAt]) => sentAt >= fromMs).sort((a, b) => a[0] - b[0]);
  let lastBad = -1;
  after.forEach(([, , status], i) => {
    if (!ok(status)) lastBad = i;
  });
  if (lastBad === -1) return 0;
  if (lastBad === after.length - 1) return Number.POSITIVE_INFINITY;
  return after[lastBad + 1]![0] - fromMs;
}
