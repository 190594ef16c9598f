// Scores block events against the labels: per abuse type, episode recall and detection delay in
// runs; overall, block precision, false blocks per 10,000 benign user-days and each trap's share.
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
  detected: number;
  recall: number;
  /** Runs between the first run that could see the abuse and the detecting run. */
  medianDelay: number;
  p90Delay: number;
}

export interface Score {
  byType: Record<AbuseType, TypeScore>;
  overall: TypeScore;
  blocks: number;
  falseBlocks: number;
  precision: number;
  falsePer10kUserDays: number;
  trapShare: Record<TrapName, number>;
  trapSize: Record<TrapName, number>;
  /** False blocks by the signal that fired, to see what to tune. */
  falseBySignal: Record<string, number>;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function typeScore(delays: Array<number | undefined>): TypeScore {
  const found = delays.filter((d): d is number => d !== undefined).sort((a, b) => a - b);
  return {
    episodes: delays.length,
    detected: found.length,
    recall: delays.length === 0 ? Number.NaN : found.length / delays.length,
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

export function score(traffic: Traffic, blocks: BlockEvent[]): Score {
  const byEntity = episodesByEntity(traffic);
  const blocksOf = new Map<number, number[]>();
  let falseBlocks = 0;
  const falseBySignal: Record<string, number> = {};
  const falseByEntity = new Map<number, number[]>();
  for (const b of blocks) {
    blocksOf.set(b.entity, [...(blocksOf.get(b.entity) ?? []), b.at]);
    if (blocksBenign(b, byEntity.get(b.entity))) {
      falseBlocks++;
      falseBySignal[b.signal] = (falseBySignal[b.signal] ?? 0) + 1;
      falseByEntity.set(b.entity, [...(falseByEntity.get(b.entity) ?? []), b.at]);
    }
  }
  const delays = new Map<AbuseType, Array<number | undefined>>(ABUSE_TYPES.map((t) => [t, []]));
  for (const ep of traffic.episodes) {
    const firstRun = bucketStart(ep.onset) + BUCKET_MS;
    const hit = (blocksOf.get(ep.entity) ?? [])
      .filter((at) => at >= firstRun && at <= ep.deadline)
      .sort((a, b) => a - b)[0];
    delays.get(ep.type)!.push(hit === undefined ? undefined : Math.round((hit - firstRun) / BUCKET_MS));
  }
  const byType = Object.fromEntries(ABUSE_TYPES.map((t) => [t, typeScore(delays.get(t)!)])) as Record<
    AbuseType,
    TypeScore
  >;
  const trapShare = {} as Record<TrapName, number>;
  const trapSize = {} as Record<TrapName, number>;
  for (const name of TRAP_NAMES) {
    const trap = traffic.traps.find((t) => t.name === name)!;
    let blocked = 0;
    trap.members.forEach((u, i) => {
      const from = Array.isArray(trap.from) ? trap.from[i]! : trap.from;
      const to = Array.isArray(trap.to) ? trap.to[i]! : trap.to;
      const inTrap = (at: number) => at > from && at <= to && (trap.during?.(u, at) ?? true);
      if ((falseByEntity.get(u) ?? []).some(inTrap)) blocked++;
    });
    trapShare[name] = trap.members.length === 0 ? 0 : blocked / trap.members.length;
    trapSize[name] = trap.members.length;
  }
  return {
    byType,
    overall: typeScore([...delays.values()].flat()),
    blocks: blocks.length,
    falseBlocks,
    precision: blocks.length === 0 ? 1 : (blocks.length - falseBlocks) / blocks.length,
    falsePer10kUserDays: (falseBlocks / Math.max(1, traffic.benignUserDays)) * 10_000,
    trapShare,
    trapSize,
    falseBySignal,
  };
}

export interface Bar {
  label: string;
  ok: boolean;
}

/** The bars of issue 4, checked on our score. */
export function checkBars(s: Score): Bar[] {
  const t = s.byType;
  const fast = (x: TypeScore) => x.recall >= 0.95 && x.medianDelay <= 1;
  return [
    { label: 'bursts >= 10x: recall >= 0.95, median delay <= 1 run', ok: fast(t['burst 10x+']) },
    { label: 'auth storms: recall >= 0.95, median delay <= 1 run', ok: fast(t['auth storm']) },
    { label: '5x bursts: recall >= 0.8', ok: t['burst 5x'].recall >= 0.8 },
    { label: 'slow ramps: recall >= 0.7 within 6 h', ok: t['slow ramp'].recall >= 0.7 },
    { label: 'new abusive accounts: recall >= 0.9', ok: t['new abusive account'].recall >= 0.9 },
    { label: 'block precision >= 0.95', ok: s.precision >= 0.95 },
    { label: '<= 1 false block per 10,000 benign user-days', ok: s.falsePer10kUserDays <= 1 },
    ...TRAP_NAMES.map((name) => ({
      label: `${name}: <= 0.1% of users blocked`,
      ok: s.trapShare[name] <= 0.001,
    })),
  ];
}
