// The diagnostic mode (`npm run eval:detector -- --explain <abuse type | false>`): for each episode of
// an abuse type, whether and how it was caught and, when missed, the closest the detector came
// (best hourly and short-window z and ratio, what the expectation was); for `false`, every block of
// a benign moment with the user's profile, the local time, the trap it fell in and the numbers.
import { BUCKET_MS, bucketStart } from '../../core/shared/buckets';
import { computeBaselines, BASELINE_SOURCES } from '../../lambda/anomaly-detector/baseline';
import type { DetectorSettings } from '../../lambda/anomaly-detector/settings';
import { excessZ } from '../../lambda/anomaly-detector/stats';
import { computeWindows } from '../../lambda/anomaly-detector/windows';
import { blocksBenign, episodesByEntity } from './metrics';
import type { BlockEvent, RunObserver } from './replay';
import type { Episode, Traffic } from './traffic';

const HOUR_MS = 3_600_000;
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toString() : '–');

function who(traffic: Traffic, e: number): string {
  const p = traffic.profiles[e];
  if (!p) return `${traffic.entities[e]!.kind}:${traffic.entities[e]!.id}`;
  const night = p.nightFactor === 0 ? 'idle nights' : `night ${p.nightFactor.toFixed(2)}`;
  const joined = p.joinBucket > 0 ? ', new user' : '';
  return `u${e} ${p.kind} ${f0(p.base)}/h k=${f1(p.k)} ${night} tz${p.tz >= 0 ? '+' : ''}${p.tz}${joined}`;
}

function localTime(traffic: Traffic, e: number, ms: number): string {
  const tz = traffic.profiles[e]?.tz ?? 0;
  const local = new Date(ms + tz * HOUR_MS);
  const day = DAYS[(local.getUTCDay() + 6) % 7]!;
  return `${day} ${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')} local`;
}

/** The closest approach of the detector to an entity over some runs. */
interface Probe {
  runs: number;
  bestHour: { z: number; ratio: number; current: number; expected: number; source: string };
  bestShort: { z: number; ratio: number; current: number; window: number };
  /** Against today's level, hourly: NaN z in every run where it did not apply (off the plateau). */
  bestToday: { z: number; ratio: number; current: number; expected: number; applied: number };
  prior: number;
  factor: number;
}

/** Records, for the given entities over their runs, the strongest hourly and short-window evidence. */
export function createProber(
  settings: DetectorSettings,
  watch: Map<number, Array<[number, number]>>,
): { observer: RunObserver; probes: Map<number, Probe> } {
  const probes = new Map<number, Probe>();
  const observer: RunObserver = (now, input) => {
    const targets = [...watch].filter(([, spans]) => spans.some(([from, to]) => now >= from && now <= to));
    if (targets.length === 0) return;
    const w = computeWindows(input, now, settings.anomalyHistoryDays);
    const b = computeBaselines(input.entities, w, settings);
    for (const [e] of targets) {
      const probe = probes.get(e) ?? {
        runs: 0,
        bestHour: { z: -Infinity, ratio: 0, current: 0, expected: 0, source: '' },
        bestShort: { z: -Infinity, ratio: 0, current: 0, window: 0 },
        bestToday: { z: -Infinity, ratio: 0, current: 0, expected: 0, applied: 0 },
        prior: 0,
        factor: 0,
      };
      probe.runs++;
      const expected = b.expected[e]!;
      const current = w.hours[0]![e]!;
      const z = excessZ(current, expected, b.hourPhi[e]!);
      if (z > probe.bestHour.z) {
        const source = BASELINE_SOURCES[b.source[e]!]!;
        probe.bestHour = { z, ratio: current / expected, current, expected, source };
        probe.prior = b.population.prior;
        probe.factor = b.population.factor;
      }
      const hour = b.today.find((t) => t.buckets === 4)!;
      const today = hour.expected[e]!;
      if (!Number.isNaN(today)) {
        probe.bestToday.applied++;
        const zt = excessZ(current, today, hour.phi[e]!);
        if (zt > probe.bestToday.z)
          probe.bestToday = { ...probe.bestToday, z: zt, ratio: current / today, current, expected: today };
      }
      for (let k = 1; k <= 3; k++) {
        const c = w.lastBuckets[k - 1]![e]!;
        const base = (expected * k) / 4;
        const phi =
          b.bucketPhi[e]! + ((Math.min(b.bucketPhi[e]!, b.hourPhi[e]!) - b.bucketPhi[e]!) * (k - 1)) / 3;
        const zs = excessZ(c, base, phi);
        if (zs > probe.bestShort.z) probe.bestShort = { z: zs, ratio: c / base, current: c, window: 15 * k };
      }
      probes.set(e, probe);
    }
  };
  return { observer, probes };
}

/** Runs that could see an episode: from the first complete bucket after onset to its deadline. */
export function episodeSpan(ep: Episode): [number, number] {
  return [bucketStart(ep.onset) + BUCKET_MS, ep.deadline];
}

export function explainEpisodes(
  traffic: Traffic,
  blocks: BlockEvent[],
  type: string,
  probes: Map<number, Probe>,
): string {
  const lines: string[] = [];
  for (const ep of traffic.episodes.filter((x) => x.type === type)) {
    const [from, to] = episodeSpan(ep);
    const hit = blocks.find((b) => b.entity === ep.entity && b.at >= from && b.at <= to);
    const minutes = Math.round((ep.end - ep.onset) / 60_000);
    const head = `${who(traffic, ep.entity)} | ${ep.detail}, ${minutes} min from ${localTime(traffic, ep.entity, ep.onset)}`;
    if (hit) {
      const d = hit.decision;
      lines.push(
        `HIT  ${head} | ${hit.signal} after ${Math.round((hit.at - from) / BUCKET_MS)} runs${d ? `: ${d.reason}` : ''}`,
      );
      continue;
    }
    const p = probes.get(ep.entity);
    const detail = p
      ? `best 1h: ${f0(p.bestHour.current)} vs ${f1(p.bestHour.expected)} (${p.bestHour.source}) ${f1(p.bestHour.ratio)}x z=${f1(p.bestHour.z)}; ` +
        `best short: ${f0(p.bestShort.current)} in ${p.bestShort.window}m ${f1(p.bestShort.ratio)}x z=${f1(p.bestShort.z)}; ` +
        (p.bestToday.applied > 0
          ? `today's level in ${p.bestToday.applied}/${p.runs} runs, best 1h: ${f0(p.bestToday.current)} vs ${f1(p.bestToday.expected)} ${f1(p.bestToday.ratio)}x z=${f1(p.bestToday.z)}; `
          : `today's level in no run; `) +
        `prior ${f0(p.prior)}, factor ${f1(p.factor)}`
      : 'not probed';
    const blocked = blocks.filter(
      (b) => b.entity === ep.entity && b.at < from && b.at > from - 7 * 86_400_000,
    );
    lines.push(
      `MISS ${head} | ${detail}${blocked.length > 0 ? ` | blocked earlier ${blocked.length}x` : ''}`,
    );
  }
  return lines.join('\n');
}

export function explainFalseBlocks(traffic: Traffic, blocks: BlockEvent[]): string {
  const lines: string[] = [];
  const episodesOf = episodesByEntity(traffic);
  for (const b of blocks) {
    const own = episodesOf.get(b.entity) ?? [];
    if (!blocksBenign(b, own)) continue;
    const traps = traffic.traps
      .filter((trap) => {
        const i = trap.members.indexOf(b.entity);
        if (i === -1) return false;
        const from = Array.isArray(trap.from) ? trap.from[i]! : trap.from;
        const to = Array.isArray(trap.to) ? trap.to[i]! : trap.to;
        return b.at > from && b.at <= to && (trap.during?.(b.entity, b.at) ?? true);
      })
      .map((trap) => trap.name);
    lines.push(
      `${who(traffic, b.entity)} | ${localTime(traffic, b.entity, b.at)} | ${b.signal}: ${b.decision?.reason ?? ''}` +
        `${traps.length > 0 ? ` | trap: ${traps.join(', ')}` : ''}${own.length > 0 ? ` | victim of ${own.map((ep) => ep.type).join(', ')}` : ''}`,
    );
  }
  return lines.join('\n');
}
