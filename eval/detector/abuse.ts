// Injected abuse with known onset and end, added on top of the benign traffic: bursts of 3x-50x,
// slow ramps, compromised heavy users, rate-limit hammering, enumeration, new abusive accounts and
// failed-authentication storms. Abusive clients are scripts: Poisson counts at the rate they choose.
import { BUCKET_MS } from '../../core/shared/buckets';
import type { CounterField } from '../../lambda/anomaly-detector/input';
import { RATE_LIMIT_PER_BUCKET, type Profile } from './population';
import type { Rng } from './rng';
import type { AbuseType, Episode } from './traffic';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export interface AbusePlan {
  episodesPerType: number;
  freshUsers: number;
  freshIps: number;
}

export interface AbuseContext {
  plan: AbusePlan;
  profiles: Profile[];
  /** Benign expected requests per bucket, bucket-major over profiles. */
  means: Float32Array;
  columns: Record<CounterField, Int32Array>;
  n: number;
  startMs: number;
  bucketCount: number;
  evalStart: number;
  endMs: number;
  firstFreshUser: number;
  firstNatIp: number;
  natIps: number;
  firstFreshIp: number;
  /** Users that may not be victims (the new-user trap). */
  excluded: Set<number>;
}

/** Per bucket overlapped by [onset, end): how much of it, and its index. */
function* overlap(
  ctx: AbuseContext,
  onset: number,
  end: number,
): Generator<{ t: number; f: number; mid: number }> {
  const first = Math.floor((onset - ctx.startMs) / BUCKET_MS);
  const last = Math.min(ctx.bucketCount - 1, Math.floor((end - 1 - ctx.startMs) / BUCKET_MS));
  for (let t = first; t <= last; t++) {
    const from = Math.max(onset, ctx.startMs + t * BUCKET_MS);
    const to = Math.min(end, ctx.startMs + (t + 1) * BUCKET_MS);
    if (to > from) yield { t, f: (to - from) / BUCKET_MS, mid: (from + to) / 2 };
  }
}

export function injectAbuse(rng: Rng, ctx: AbuseContext): Episode[] {
  const { columns, n, profiles } = ctx;
  const episodes: Episode[] = [];
  const used = new Set<number>(ctx.excluded);
  const count = ctx.plan.episodesPerType;
  const mean = (t: number, u: number) => ctx.means[t * profiles.length + u]!;
  let freshUser = ctx.firstFreshUser;
  let freshIp = ctx.firstFreshIp;

  const add = (e: number, t: number, x: number, errors = 0, distinct = 0) => {
    if (x <= 0) return;
    const i = t * n + e;
    const total = columns.requests[i]! + x;
    columns.requests[i] = total;
    columns.errors4xx[i]! += errors;
    if (distinct > columns.endpoints[i]!) columns.endpoints[i] = distinct;
    const limited = Math.max(0, total - RATE_LIMIT_PER_BUCKET);
    if (limited > columns.rateLimited[i]!) {
      columns.errors4xx[i]! += limited - columns.rateLimited[i]!;
      columns.rateLimited[i] = limited;
    }
  };
  const pickVictim = (ok: (p: Profile) => boolean): number => {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      const u = rng.int(0, profiles.length - 1);
      if (!used.has(u) && ok(profiles[u]!)) {
        used.add(u);
        return u;
      }
    }
    throw new Error('not enough users for the abuse plan: raise --users');
  };
  /** A time inside the victim's working day (any time for 24/7 users), on an evaluated day. */
  const activeOnset = (p: Profile, latestMs: number, lead = 1, tail = 3) => {
    const days = Math.floor((latestMs - ctx.evalStart) / (24 * HOUR_MS));
    const day =
      Math.floor((ctx.evalStart - ctx.startMs) / (24 * HOUR_MS)) + 1 + rng.int(0, Math.max(0, days - 2));
    const local =
      p.kind === 'heavy'
        ? rng.uniform(0, 24)
        : p.start + lead + rng.uniform(0, Math.max(0.5, p.length - tail));
    return ctx.startMs + day * 24 * HOUR_MS + (local - p.tz) * HOUR_MS;
  };
  const anyOnset = (duration: number) => rng.uniform(ctx.evalStart + HOUR_MS, ctx.endMs - duration - HOUR_MS);
  const record = (
    type: AbuseType,
    entity: number,
    onset: number,
    end: number,
    detail: string,
    deadline = end + 30 * MINUTE_MS,
  ) => episodes.push({ type, entity, onset, end, deadline, detail });

  const bursts: Array<[AbuseType, () => number]> = [
    ['burst 3x', () => 3],
    ['burst 5x', () => 5],
    ['burst 10x+', () => rng.pick([10, 20, 50])],
  ];
  for (const [type, multiplier] of bursts) {
    for (let k = 0; k < count; k++) {
      const u = pickVictim((p) => p.kind !== 'batch' && p.base >= 20);
      const m = multiplier();
      const duration = rng.uniform(15, 120) * MINUTE_MS;
      const onset = activeOnset(profiles[u]!, ctx.endMs - duration);
      const end = onset + duration;
      // m times the user's usual plateau rate (not the instantaneous mean, which may be near zero
      // on a late-starting day): a "10x burst" is 10x what this user normally sends in an hour.
      const usual = profiles[u]!.base / 4;
      for (const { t, f } of overlap(ctx, onset, end))
        add(u, t, rng.poisson((m - 1) * Math.max(usual, mean(t, u)) * f));
      record(type, u, onset, end, `${m}x for ${Math.round(duration / MINUTE_MS)} min`);
    }
  }

  for (let k = 0; k < count; k++) {
    const u = pickVictim((p) => p.kind !== 'batch' && p.base >= 20);
    const g = rng.uniform(1.2, 1.5);
    const duration = 8 * HOUR_MS;
    const onset = activeOnset(profiles[u]!, ctx.endMs - duration, 0.5, 3);
    const t0 = Math.floor((onset - ctx.startMs) / BUCKET_MS);
    const r0 = Math.max(4 * mean(t0, u), 0.5 * profiles[u]!.base);
    for (const { t, f, mid } of overlap(ctx, onset, onset + duration)) {
      add(u, t, rng.poisson(((r0 * (Math.pow(g, (mid - onset) / HOUR_MS) - 1)) / 4) * f));
    }
    record(
      'slow ramp',
      u,
      onset,
      onset + duration,
      `${g.toFixed(2)}x per hour from ${Math.round(r0)}/h`,
      onset + 6 * HOUR_MS,
    );
  }

  // Few users are heavy: half as many compromised-heavy and hammering episodes as the others.
  const half = Math.ceil(count / 2);
  for (let k = 0; k < half; k++) {
    const u = pickVictim((p) => p.kind === 'heavy' && p.base >= 150 && p.base <= 600);
    const duration = rng.uniform(2, 6) * HOUR_MS;
    const onset = anyOnset(duration);
    const usual = profiles[u]!.base / 4;
    for (const { t, f } of overlap(ctx, onset, onset + duration))
      add(u, t, rng.poisson(3 * Math.max(usual, mean(t, u)) * f));
    record('compromised heavy user', u, onset, onset + duration, `4x of ${Math.round(profiles[u]!.base)}/h`);
  }

  for (let k = 0; k < half; k++) {
    const u = pickVictim((p) => p.kind === 'regular' && p.base >= 20);
    const duration = rng.uniform(1, 3) * HOUR_MS;
    const onset = activeOnset(profiles[u]!, ctx.endMs - duration);
    const target = rng.uniform(1000, 2500);
    for (const { t, f } of overlap(ctx, onset, onset + duration))
      add(u, t, rng.poisson(Math.max(0, target - mean(t, u)) * f));
    record('rate-limit hammering', u, onset, onset + duration, `${Math.round(target)} per 15 min`);
  }

  for (let k = 0; k < count; k++) {
    const fresh = k % 2 === 0;
    const e = fresh ? freshUser++ : pickVictim((p) => p.kind === 'regular');
    const duration = rng.uniform(30, 180) * MINUTE_MS;
    const onset = fresh ? anyOnset(duration) : activeOnset(profiles[e]!, ctx.endMs - duration);
    const rate = rng.uniform(100, 600);
    const share = rng.uniform(0.6, 0.95);
    const distinct = rng.uniform(30, 200);
    for (const { t, f } of overlap(ctx, onset, onset + duration)) {
      const x = rng.poisson((rate / 4) * f);
      add(e, t, x, rng.binomial(x, share), Math.min(x, Math.round(distinct * f)));
    }
    record(
      'enumeration',
      e,
      onset,
      onset + duration,
      `${Math.round(rate)}/h, ${Math.round(share * 100)}% 4xx`,
    );
  }

  for (let k = 0; k < count; k++) {
    const e = freshUser++;
    const duration = rng.uniform(1, 6) * HOUR_MS;
    const onset = anyOnset(duration);
    const rate = rng.logUniform(200, 2000);
    for (const { t, f } of overlap(ctx, onset, onset + duration)) {
      const x = rng.poisson((rate / 4) * f);
      add(e, t, x, rng.binomial(x, 0.02), Math.min(x, 12));
    }
    record('new abusive account', e, onset, onset + duration, `${Math.round(rate)}/h`);
  }

  for (let k = 0; k < count; k++) {
    const natCandidate = ctx.natIps > 0 && rng.chance(0.3) ? ctx.firstNatIp + rng.int(0, ctx.natIps - 1) : -1;
    const nat = natCandidate !== -1 && !used.has(natCandidate);
    const e = nat ? natCandidate : freshIp++;
    used.add(e);
    const duration = rng.uniform(15, 180) * MINUTE_MS;
    const onset = anyOnset(duration);
    const rate = rng.logUniform(100, 5000);
    for (const { t, f } of overlap(ctx, onset, onset + duration)) {
      const x = rng.poisson((rate / 4) * f);
      if (x === 0) continue;
      add(e, t, x, x, 1);
      columns.authFailures[t * n + e]! += x;
    }
    record(
      'auth storm',
      e,
      onset,
      onset + duration,
      `${Math.round(rate)} failures/h${nat ? ' from an office NAT' : ''}`,
    );
  }
  return episodes;
}
