// The known-rate reference (`npm run eval:detector -- --oracle`): a detector that is told what no
// real one can know, each user's true expected count in every bucket and the true noise around it
// (the generator's own day factor, daily start, weekend and negative binomial shape), and flags a
// user when a window of recent buckets lies above it. Held to the same false-block budget as ours,
// its recall per abuse type is what the traffic itself allows: the ceiling for any detector that
// must estimate those rates from history, and so the yardstick for a bar ours misses.
import { BUCKET_MS } from '../../src/shared/buckets';
import { excessZ } from '../../lambda/anomaly-detector/stats';
import { score, type Score } from './metrics';
import type { BlockEvent } from './replay';
import type { AbuseType, Episode, Traffic } from './traffic';

/**
 * Windows tried at every run, in buckets ending with the newest: 15 minutes to 2 hours. Not longer:
 * a block more than 2 hours after an episode ends is a false block (as for ours), and a longer
 * window would still hold the abuse then.
 */
const WINDOWS = [1, 2, 3, 4, 6, 8];
/** A block lasts the first block's hour: no second block of the same user inside it. */
const BLOCK_MS = 3_600_000;
/** Same as the scoring's grace: a block this soon after an episode is still about it. */
const GRACE_MS = 2 * 3_600_000;

/** Abuse the reference can judge: volume above a known user's own rate (not new accounts or IPs). */
export const ORACLE_TYPES: readonly AbuseType[] = [
  'burst 3x',
  'burst 5x',
  'burst 10x+',
  'slow ramp',
  'compromised heavy user',
];

export interface OracleResult {
  /** z-score at which it flags: the lowest that keeps its false blocks within the budget. */
  threshold: number;
  score: Score;
}

/**
 * The strongest evidence at every run (after warm-up) for every user: the largest z over the
 * windows, each window's count judged against its true mean with its true variance (negative
 * binomial per bucket, Poisson for a batch job's run). Runs whose windows touch traffic the truth
 * does not describe (the outage's retries, the catch-up after it) are left out (NaN).
 */
function strongestEvidence(traffic: Traffic): Float32Array {
  const users = traffic.profiles.length;
  const n = traffic.entities.length;
  const runs = traffic.bucketCount - traffic.warmupBuckets;
  const { requests, errors5xx } = traffic.columns;
  const out = new Float32Array(runs * users);
  const observed = new Float64Array(traffic.bucketCount + 1);
  const mean = new Float64Array(traffic.bucketCount + 1);
  const variance = new Float64Array(traffic.bucketCount + 1);
  const unknown = new Int32Array(traffic.bucketCount + 1);
  for (let t = 0; t < traffic.bucketCount; t++) unknown[t + 1] = unknown[t]! + traffic.unmodelled[t]!;
  for (let u = 0; u < users; u++) {
    const p = traffic.profiles[u]!;
    for (let t = 0; t < traffic.bucketCount; t++) {
      const i = t * n + u;
      const mu = traffic.means[t * users + u]!;
      const poisson = p.job !== undefined && mu > p.base;
      observed[t + 1] = observed[t]! + requests[i]! - errors5xx[i]!;
      mean[t + 1] = mean[t]! + mu;
      variance[t + 1] = variance[t]! + mu + (poisson ? 0 : (mu * mu) / p.k);
    }
    for (let r = 0; r < runs; r++) {
      const end = traffic.warmupBuckets + r + 1;
      let best = Number.NEGATIVE_INFINITY;
      for (const w of WINDOWS) {
        const start = end - w;
        if (start < 0) break;
        if (unknown[end]! - unknown[start]! > 0) {
          best = Number.NaN;
          break;
        }
        const m = mean[end]! - mean[start]!;
        const phi = m > 0 ? (variance[end]! - variance[start]! - m) / (m * m) : 0;
        const z = excessZ(observed[end]! - observed[start]!, m, phi);
        if (z > best) best = z;
      }
      out[r * users + u] = best;
    }
  }
  return out;
}

/** Blocks at `threshold`: a user is blocked at the first run its evidence reaches it, for an hour. */
function blocksAt(traffic: Traffic, evidence: Float32Array, threshold: number): BlockEvent[] {
  const users = traffic.profiles.length;
  const runs = evidence.length / users;
  const blocks: BlockEvent[] = [];
  for (let u = 0; u < users; u++) {
    let until = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < runs; r++) {
      const at = traffic.startMs + (traffic.warmupBuckets + r + 1) * BUCKET_MS;
      if (at < until || !(evidence[r * users + u]! >= threshold)) continue;
      blocks.push({ at, entity: u, signal: 'oracle' });
      until = at + BLOCK_MS;
    }
  }
  return blocks;
}

function falseBlocks(blocks: BlockEvent[], episodesOf: Map<number, Episode[]>): number {
  let count = 0;
  for (const b of blocks) {
    const episodes = episodesOf.get(b.entity) ?? [];
    if (!episodes.some((ep) => b.at > ep.onset && b.at <= ep.end + GRACE_MS)) count++;
  }
  return count;
}

/**
 * The reference at the lowest threshold whose false blocks stay within `falsePer10k` per 10,000
 * benign user-days (the bar ours is held to). Needs traffic no replay has changed: the replay
 * enforces our blocks in the columns.
 */
export function runOracle(traffic: Traffic, falsePer10k = 1): OracleResult {
  const evidence = strongestEvidence(traffic);
  const episodesOf = new Map<number, Episode[]>();
  for (const ep of traffic.episodes) episodesOf.set(ep.entity, [...(episodesOf.get(ep.entity) ?? []), ep]);
  const budget = (falsePer10k * traffic.benignUserDays) / 10_000;
  let lo = 1;
  let hi = 64;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (falseBlocks(blocksAt(traffic, evidence, mid), episodesOf) <= budget) hi = mid;
    else lo = mid;
  }
  return { threshold: hi, score: score(traffic, blocksAt(traffic, evidence, hi)) };
}
