// Scores actions against the labels: per abuse type, episode recall by any action and by block, and
// the delay in runs; on the benign side, block precision, false blocks and false throttles per
// 10,000 benign user-days, each trap's share blocked, and harm: the share of benign requests that
// throttles refused, outside organic bursts, inside them and per trap.
import { BUCKET_MS, bucketStart } from '../../core/shared/buckets';
import type { BlockEvent } from './replay';
import {
  ABUSE_TYPES,
  TRAP_NAMES,
  type AbuseType,
  type Episode,
  type TrapName,
  type Traffic,
} from './traffic';

/** Blocks this long after an episode ends are still about it (the abuser is still being stopped). */
const GRACE_MS = 2 * 3_600_000;

export interface TypeScore {
  episodes: number;
  /** Episodes met with any action (block or throttle), and with a block. */
  detected: number;
  recall: number;
  blocked: number;
  recallBlock: number;
  /** Runs between the first run that could see the abuse and the first acting run. */
  medianDelay: number;
  p90Delay: number;
}

/** Requests of benign users refused by our throttles (beyond the normal rate limit), and all of them. */
export interface Harm {
  refused: number;
  requests: number;
  share: number;
}

export interface Score {
  byType: Record<AbuseType, TypeScore>;
  overall: TypeScore;
  blocks: number;
  falseBlocks: number;
  precision: number;
  falsePer10kUserDays: number;
  /** Throttles of benign users outside their organic bursts. */
  throttles: number;
  falseThrottles: number;
  falseThrottlesPer10kUserDays: number;
  trapShare: Record<TrapName, number>;
  trapSize: Record<TrapName, number>;
  /** False blocks (and false throttles, as `throttle:<signal>`) by the signal that fired. */
  falseBySignal: Record<string, number>;
  /** Harm outside organic bursts, inside them, and per trap. */
  harm: Harm;
  organicHarm: Harm;
  trapHarm: Record<TrapName, Harm>;
  organic: {
    bursts: number;
    /** Bursts met with a throttle, and with a block (the bar: none). */
    throttled: number;
    blocked: number;
    /** Lowest throttle during a burst, as a multiple of the user's usual hourly level then. */
    minThrottleRatio: number;
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function typeScore(delays: Array<number | undefined>, blockDelays: Array<number | undefined>): TypeScore {
  const found = delays.filter((d): d is number => d !== undefined).sort((a, b) => a - b);
  const blocked = blockDelays.filter((d) => d !== undefined).length;
  return {
    episodes: delays.length,
    detected: found.length,
    recall: delays.length === 0 ? Number.NaN : found.length / delays.length,
    blocked,
    recallBlock: delays.length === 0 ? Number.NaN : blocked / delays.length,
    medianDelay: percentile(found, 0.5),
    p90Delay: percentile(found, 0.9),
  };
}

/** Each entity's episodes, to judge many blocks without scanning every episode for each. */
export function episodesByEntity(traffic: Traffic): Map<number, Episode[]> {
  const byEntity = new Map<number, Episode[]>();
  for (const ep of traffic.episodes) byEntity.set(ep.entity, [...(byEntity.get(ep.entity) ?? []), ep]);
  return byEntity;
}

/** A block of an entity that was not abusing then (nor up to GRACE_MS before), given its episodes. */
export function blocksBenign(b: BlockEvent, episodesOfEntity: readonly Episode[] = []): boolean {
  return !episodesOfEntity.some((ep) => b.at > ep.onset && b.at <= ep.end + GRACE_MS);
}

/** Throttles this long after an organic burst ends are still about it. */
const ORGANIC_GRACE_MS = GRACE_MS;

/**
 * Scores our actions (or a reference's blocks) against the labels. `throttled` (per cell, from the
 * replay) is what throttles refused; without it harm is zero.
 */
export function score(traffic: Traffic, events: BlockEvent[], throttled?: Int32Array): Score {
  const byEntity = episodesByEntity(traffic);
  const organicOf = new Map<number, Array<{ onset: number; end: number }>>();
  for (const b of traffic.organic) organicOf.set(b.entity, [...(organicOf.get(b.entity) ?? []), b]);
  const inOrganic = (e: number, at: number) =>
    (organicOf.get(e) ?? []).some((b) => at > b.onset && at <= b.end + ORGANIC_GRACE_MS);
  const actionsOf = new Map<number, BlockEvent[]>();
  let blocks = 0;
  let falseBlocks = 0;
  let throttles = 0;
  let falseThrottles = 0;
  const falseBySignal: Record<string, number> = {};
  const falseByEntity = new Map<number, number[]>();
  for (const b of events) {
    actionsOf.set(b.entity, [...(actionsOf.get(b.entity) ?? []), b]);
    const benign = blocksBenign(b, byEntity.get(b.entity));
    if (b.action === 'block') {
      blocks++;
      if (!benign) continue;
      falseBlocks++;
      falseBySignal[b.signal] = (falseBySignal[b.signal] ?? 0) + 1;
      falseByEntity.set(b.entity, [...(falseByEntity.get(b.entity) ?? []), b.at]);
    } else {
      throttles++;
      if (benign && !inOrganic(b.entity, b.at)) {
        falseThrottles++;
        const key = `throttle:${b.signal}`;
        falseBySignal[key] = (falseBySignal[key] ?? 0) + 1;
      }
    }
  }
  const delays = new Map<AbuseType, Array<number | undefined>>(ABUSE_TYPES.map((t) => [t, []]));
  const blockDelays = new Map<AbuseType, Array<number | undefined>>(ABUSE_TYPES.map((t) => [t, []]));
  for (const ep of traffic.episodes) {
    const firstRun = bucketStart(ep.onset) + BUCKET_MS;
    const within = (actionsOf.get(ep.entity) ?? [])
      .filter((b) => b.at >= firstRun && b.at <= ep.deadline)
      .sort((a, b) => a.at - b.at);
    const delay = (b: BlockEvent | undefined) =>
      b === undefined ? undefined : Math.round((b.at - firstRun) / BUCKET_MS);
    delays.get(ep.type)!.push(delay(within[0]));
    blockDelays.get(ep.type)!.push(delay(within.find((b) => b.action === 'block')));
  }
  const byType = Object.fromEntries(
    ABUSE_TYPES.map((t) => [t, typeScore(delays.get(t)!, blockDelays.get(t)!)]),
  ) as Record<AbuseType, TypeScore>;
  const trapShare = {} as Record<TrapName, number>;
  const trapSize = {} as Record<TrapName, number>;
  for (const name of TRAP_NAMES) {
    const trap = traffic.traps.find((t) => t.name === name)!;
    let blocked = 0;
    trap.members.forEach((u, i) => {
      const inTrap = trapWindow(trap, u, i);
      if ((falseByEntity.get(u) ?? []).some(inTrap)) blocked++;
    });
    trapShare[name] = trap.members.length === 0 ? 0 : blocked / trap.members.length;
    trapSize[name] = trap.members.length;
  }
  return {
    byType,
    overall: typeScore([...delays.values()].flat(), [...blockDelays.values()].flat()),
    blocks,
    falseBlocks,
    precision: blocks === 0 ? 1 : (blocks - falseBlocks) / blocks,
    falsePer10kUserDays: (falseBlocks / Math.max(1, traffic.benignUserDays)) * 10_000,
    throttles,
    falseThrottles,
    falseThrottlesPer10kUserDays: (falseThrottles / Math.max(1, traffic.benignUserDays)) * 10_000,
    trapShare,
    trapSize,
    falseBySignal,
    ...harmOf(traffic, throttled),
    organic: organicScore(traffic, actionsOf),
  };
}

/** Whether a moment counts against a trap, for its i-th member u. */
function trapWindow(trap: Traffic['traps'][number], u: number, i: number) {
  const from = Array.isArray(trap.from) ? trap.from[i]! : trap.from;
  const to = Array.isArray(trap.to) ? trap.to[i]! : trap.to;
  return (at: number) => at > from && at <= to && (trap.during?.(u, at) ?? true);
}

const harm = (refused: number, requests: number): Harm => ({
  refused,
  requests,
  share: requests === 0 ? 0 : refused / requests,
});

/** The share of benign users' requests our throttles refused: outside organic bursts, inside, per trap. */
function harmOf(
  traffic: Traffic,
  throttled: Int32Array | undefined,
): Pick<Score, 'harm' | 'organicHarm' | 'trapHarm'> {
  const n = traffic.entities.length;
  const users = traffic.profiles.length;
  const victims = new Set(traffic.episodes.map((ep) => ep.entity));
  const requests = traffic.columns.requests;
  const first = traffic.warmupBuckets;
  let refused = 0;
  let total = 0;
  let organicRefused = 0;
  let organicTotal = 0;
  for (let t = first; t < traffic.bucketCount; t++) {
    for (let u = 0; u < users; u++) {
      if (victims.has(u)) continue;
      const i = t * n + u;
      const r = throttled?.[i] ?? 0;
      if (traffic.organicCells[t * users + u]) {
        organicRefused += r;
        organicTotal += requests[i]!;
      } else {
        refused += r;
        total += requests[i]!;
      }
    }
  }
  const trapHarm = {} as Record<TrapName, Harm>;
  for (const name of TRAP_NAMES) {
    const trap = traffic.traps.find((x) => x.name === name)!;
    let trapRefused = 0;
    let trapTotal = 0;
    trap.members.forEach((u, k) => {
      const inTrap = trapWindow(trap, u, k);
      for (let t = first; t < traffic.bucketCount; t++) {
        const i = t * n + u;
        if (requests[i] === 0 || traffic.organicCells[t * users + u]) continue;
        // A bucket counts at its end, as a run would see it.
        if (!inTrap(traffic.startMs + (t + 1) * BUCKET_MS)) continue;
        trapRefused += throttled?.[i] ?? 0;
        trapTotal += requests[i]!;
      }
    });
    trapHarm[name] = harm(trapRefused, trapTotal);
  }
  return { harm: harm(refused, total), organicHarm: harm(organicRefused, organicTotal), trapHarm };
}

/** How organic bursts after the warm-up were met: throttled, blocked, and the lowest throttle. */
function organicScore(traffic: Traffic, actionsOf: Map<number, BlockEvent[]>): Score['organic'] {
  const evalStart = traffic.startMs + traffic.warmupBuckets * BUCKET_MS;
  const users = traffic.profiles.length;
  let bursts = 0;
  let throttled = 0;
  let blocked = 0;
  let minThrottleRatio = Number.POSITIVE_INFINITY;
  for (const burst of traffic.organic) {
    if (burst.onset < evalStart) continue;
    bursts++;
    const during = (actionsOf.get(burst.entity) ?? []).filter(
      (b) => b.at > burst.onset && b.at <= burst.end + ORGANIC_GRACE_MS,
    );
    if (during.some((b) => b.action === 'block')) blocked++;
    const throttles = during.filter((b) => b.action === 'throttle');
    if (throttles.length > 0) throttled++;
    for (const b of throttles) {
      // The user's usual level at the hour it was throttled: its benign mean, burst excluded.
      const t = Math.floor((b.at - traffic.startMs) / BUCKET_MS) - 1;
      let usual = 0;
      for (let k = Math.max(0, t - 3); k <= t; k++) usual += traffic.means[k * users + burst.entity]!;
      if (usual > 0) minThrottleRatio = Math.min(minThrottleRatio, b.hourlyLimit! / usual);
    }
  }
  return { bursts, throttled, blocked, minThrottleRatio };
}

export interface Bar {
  label: string;
  ok: boolean;
}

/** The bars of issue 26, checked on our score. */
export function checkBars(s: Score): Bar[] {
  const t = s.byType;
  const fast = (x: TypeScore) => x.recall >= 0.95 && x.medianDelay <= 1;
  return [
    { label: 'bursts >= 10x: recall >= 0.95, median delay <= 1 run', ok: fast(t['burst 10x+']) },
    { label: 'auth storms: recall >= 0.95, median delay <= 1 run', ok: fast(t['auth storm']) },
    { label: '5x bursts: recall >= 0.9', ok: t['burst 5x'].recall >= 0.9 },
    { label: '3x bursts: recall >= 0.6', ok: t['burst 3x'].recall >= 0.6 },
    { label: 'slow ramps: recall >= 0.75 within 6 h', ok: t['slow ramp'].recall >= 0.75 },
    { label: 'new abusive accounts: recall >= 0.9', ok: t['new abusive account'].recall >= 0.9 },
    { label: 'block precision >= 0.95', ok: s.precision >= 0.95 },
    { label: '<= 1 false block per 10,000 benign user-days', ok: s.falsePer10kUserDays <= 1 },
    { label: 'organic bursts: none blocked', ok: s.organic.blocked === 0 },
    {
      label: 'organic bursts: no throttle below 3x the usual hourly level',
      ok: !(s.organic.minThrottleRatio < 3),
    },
    {
      label: '<= 50 false throttles per 10,000 benign user-days (outside organic bursts)',
      ok: s.falseThrottlesPer10kUserDays <= 50,
    },
    { label: 'harm: <= 0.1% of benign requests refused (outside organic bursts)', ok: s.harm.share <= 0.001 },
    ...TRAP_NAMES.flatMap((name) => [
      { label: `${name}: <= 0.1% of users blocked`, ok: s.trapShare[name] <= 0.001 },
      { label: `${name}: <= 2% of requests refused`, ok: s.trapHarm[name].share <= 0.02 },
    ]),
  ];
}
