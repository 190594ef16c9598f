// The seeded traffic generator: benign users and IPs, benign traps, and injected abuse episodes
// with known onset and end, written into bucket-major columns. Same seed, same traffic.
import { BUCKET_MS, BUCKETS_PER_DAY } from '../../core/shared/buckets';
import { ipEntity, userEntity, type Entity } from '../../core/shared/entity';
import {
  benignMeans,
  distinctEndpoints,
  drawProfile,
  isCatchUp,
  isOutage,
  RATE_LIMIT_PER_BUCKET,
  type OrganicBurst,
  type PopulationEvents,
  type Profile,
} from './population';
import { Rng } from './rng';
import { injectAbuse, type AbusePlan } from './abuse';
import { createColumns, type Trap, type Traffic } from './traffic';

export interface ScenarioOptions {
  seed: number;
  /** Users present from the start. */
  users: number;
  days: number;
  warmupDays: number;
  /** Episodes per abuse type (bursts: per multiplier class). */
  episodesPerType: number;
  /**
   * The shapes of real benign traffic: organic bursts, busy evenings, a holiday and an event day.
   * Off, benign users send what `means` says (the known-rate references need that). @default true
   */
  realShapes?: boolean;
}

export const DEFAULT_SCENARIO: ScenarioOptions = {
  seed: 42,
  users: 3000,
  // Warm-up is the detector's history (ANOMALY_HISTORY_DAYS, 7): blocks are scored once the same hour
  // on seven earlier days exists, as after a first week in shadow mode. 11 days are scored.
  days: 18,
  warmupDays: 7,
  episodesPerType: 60,
};

/** Monday 2025-01-06 00:00 UTC. */
const START_MS = Date.UTC(2025, 0, 6);
const DAY_MS = 86_400_000;

export function generateTraffic(options: ScenarioOptions): Traffic {
  const rng = new Rng(options.seed);
  const real = options.realShapes ?? true;
  const bucketCount = options.days * BUCKETS_PER_DAY;
  const warmupBuckets = options.warmupDays * BUCKETS_PER_DAY;
  const evalStart = START_MS + warmupBuckets * BUCKET_MS;
  const endMs = START_MS + bucketCount * BUCKET_MS;
  const surgeDay = Math.min(options.days - 2, options.warmupDays + 2);
  const outageDay = Math.min(options.days - 3, options.warmupDays + 1);
  const ev: PopulationEvents = {
    surgeFrom: START_MS + surgeDay * DAY_MS + 13 * 3_600_000,
    surgeTo: START_MS + surgeDay * DAY_MS + 19 * 3_600_000,
    outageFrom: START_MS + outageDay * DAY_MS + 10 * 3_600_000,
    outageTo: START_MS + outageDay * DAY_MS + 10.75 * 3_600_000,
    // A Monday off, then a Tuesday at two to three times the usual traffic (a sale, a match).
    holidayDay: real ? START_MS / DAY_MS + Math.min(options.days - 2, options.warmupDays + 7) : -1,
    eventDay: real ? START_MS / DAY_MS + Math.min(options.days - 1, options.warmupDays + 8) : -1,
    eventFactor: real ? rng.uniform(2, 3) : 1,
  };

  // Users: regular, heavy (services, 24/7) and batch (a daily job), then new users joining later.
  const profiles: Profile[] = [];
  for (let i = 0; i < options.users; i++) {
    const r = rng.next();
    const p = drawProfile(rng, r < 0.04 ? 'heavy' : r < 0.055 ? 'batch' : 'regular');
    if (real && p.kind === 'regular' && rng.chance(EVENING_USERS)) {
      p.evening = { factor: rng.uniform(1.5, 3), share: rng.uniform(0.3, 0.7) };
      p.nightFactor = 0;
    }
    profiles.push(p);
  }
  const organic = real
    ? planOrganicBursts(rng, profiles, options.users, START_MS, bucketCount)
    : { bursts: [], byUser: new Map<number, OrganicBurst[]>() };
  const newUsers = Math.round(options.users * 0.04);
  const joins: number[] = [];
  for (let i = 0; i < newUsers; i++) {
    const p = drawProfile(rng, 'regular');
    // An ordinary user after the first hour: below the band the issue gives abusive new accounts
    // (200/h and more), so that the labels do not contradict each other.
    p.base = Math.min(p.base, 100);
    const day = rng.int(options.warmupDays, options.days - 1);
    const localStart = p.start + rng.uniform(0, 3);
    const joinMs = START_MS + day * DAY_MS + (localStart - p.tz) * 3_600_000;
    p.joinBucket = Math.min(
      bucketCount - 4,
      Math.max(warmupBuckets, Math.floor((joinMs - START_MS) / BUCKET_MS)),
    );
    p.firstHour = rng.uniform(20, 150);
    joins.push(profiles.length);
    profiles.push(p);
  }
  const plan: AbusePlan = { episodesPerType: options.episodesPerType, freshUsers: 0, freshIps: 0 };
  const freshUserCount = options.episodesPerType * 2; // new abusive accounts and half the enumerators
  const freshIpCount = options.episodesPerType; // storm sources with no history
  const benignIps = Math.round(options.users * 0.12);
  const natIps = Math.round(options.users * 0.02);

  const entities: Entity[] = profiles.map((_, i) => userEntity(`u${i}`));
  const firstFreshUser = entities.length;
  for (let i = 0; i < freshUserCount; i++) entities.push(userEntity(`x${i}`));
  const firstIp = entities.length;
  for (let i = 0; i < benignIps + natIps + freshIpCount; i++) {
    entities.push(ipEntity(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
  }
  const n = entities.length;
  const columns = createColumns(bucketCount, n);
  const means = new Float32Array(bucketCount * profiles.length);
  const dayLevels = new Float32Array(bucketCount * profiles.length);
  const series = new Float32Array(bucketCount);
  const levels = new Float32Array(bucketCount);
  const { requests, errors4xx, errors5xx, authFailures, rateLimited, endpoints } = columns;
  const writeBenign = (t: number, u: number, p: Profile, x: number, fives: number) => {
    if (x === 0) return;
    const i = t * n + u;
    const limited =
      Math.max(0, x - RATE_LIMIT_PER_BUCKET) + (p.kind === 'heavy' && rng.chance(0.02) ? rng.poisson(3) : 0);
    requests[i] = x;
    errors5xx[i] = fives;
    rateLimited[i] = Math.min(x, limited);
    errors4xx[i] = rng.binomial(x - fives, p.share4xx) + rateLimited[i]!;
    endpoints[i] = distinctEndpoints(x, p.repertoire);
  };

  const extra = new Float32Array(bucketCount);
  const organicCells = new Uint8Array(bucketCount * profiles.length);
  for (let u = 0; u < profiles.length; u++) {
    const p = profiles[u]!;
    benignMeans(rng, p, START_MS, bucketCount, ev, series, levels);
    extra.fill(0);
    for (const burst of organic.byUser.get(u) ?? []) {
      for (const { t, f } of bucketsOverlapping(START_MS, bucketCount, burst.onset, burst.end)) {
        // Like the abuse bursts: times the user's plateau rate, not the moment's (which may be idle).
        extra[t]! += (burst.multiplier - 1) * Math.max(p.base / 4, series[t]!) * f;
        organicCells[t * profiles.length + u] = 1;
      }
    }
    for (let t = 0; t < bucketCount; t++) {
      const mean = series[t]!;
      if (extra[t]! > 0) {
        // The burst's requests are not in `means`: what the user usually sends at this time.
        means[t * profiles.length + u] = mean;
        dayLevels[t * profiles.length + u] = levels[t]!;
        const x = rng.poisson(extra[t]!) + (mean > 0 ? rng.negBinomial(mean, p.k) : 0);
        writeBenign(t, u, p, x, rng.binomial(x, 0.002));
        continue;
      }
      means[t * profiles.length + u] = mean;
      dayLevels[t * profiles.length + u] = levels[t]!;
      if (mean <= 0) continue;
      const ms = START_MS + t * BUCKET_MS;
      let x = p.job && mean > p.base ? rng.poisson(mean) : rng.negBinomial(mean, p.k);
      let fives = rng.binomial(x, 0.002);
      if (isOutage(ev, ms) && x > 0) {
        // The upstream fails; clients retry, most retries fail too.
        x += rng.negBinomial(3 * x, 2);
        fives = rng.binomial(x, 0.85);
      } else if (isCatchUp(ev, ms)) {
        x += rng.poisson(0.5 * mean);
      }
      writeBenign(t, u, p, x, fives);
    }
  }

  // Benign IPs: failed authentications from expired tokens (single users) and offices (NAT).
  for (let j = 0; j < benignIps + natIps; j++) {
    const e = firstIp + j;
    const nat = j >= benignIps;
    const tz = rng.pick([0, 0, 1, -5, -8, 8]);
    const level = nat ? rng.uniform(0.3, 2.5) : 0;
    for (let t = 0; t < bucketCount; t++) {
      const ms = START_MS + t * BUCKET_MS;
      const localHours = ms / 3_600_000 + tz;
      const hour = ((localHours % 24) + 24) % 24;
      const weekday = (((Math.floor(localHours / 24) + 3) % 7) + 7) % 7;
      let failures = 0;
      if (nat) {
        if (weekday < 5 && hour >= 8 && hour < 18) failures = rng.negBinomial(level, 1);
      } else if (hour >= 8 && hour < 22 && rng.chance(0.5 / 56)) {
        failures = 1 + rng.poisson(1);
      }
      if (failures === 0) continue;
      const i = t * n + e;
      requests[i] = failures + rng.poisson(0.5);
      errors4xx[i] = failures;
      authFailures[i] = failures;
      endpoints[i] = 1;
    }
  }

  plan.freshUsers = freshUserCount;
  plan.freshIps = freshIpCount;
  const episodes = injectAbuse(rng, {
    plan,
    profiles,
    means,
    columns,
    n,
    startMs: START_MS,
    bucketCount,
    evalStart,
    endMs,
    firstFreshUser,
    firstNatIp: firstIp + benignIps,
    natIps,
    firstFreshIp: firstIp + benignIps + natIps,
    excluded: new Set([...joins, ...organic.byUser.keys()]),
  });

  // Traps, never overlapping a victim: what a naive detector would block.
  const victims = new Set(episodes.map((ep) => ep.entity));
  const benignUsers = profiles.map((_, u) => u).filter((u) => !victims.has(u));
  const activeIn = (u: number, from: number, to: number) => {
    for (let t = Math.floor((from - START_MS) / BUCKET_MS); t < Math.ceil((to - START_MS) / BUCKET_MS); t++) {
      if (requests[t * n + u]! > 0) return true;
    }
    return false;
  };
  const evalEnd = endMs;
  const traps: Trap[] = [
    {
      // Blocks count against this trap in the user's morning: from 1.5 h before its usual start
      // (three standard deviations of the daily start) to 3 h after it. A block in the afternoon is
      // a false block all the same, but not one the morning ramp-up caused.
      name: 'morning ramp-up',
      members: benignUsers.filter((u) => {
        const p = profiles[u]!;
        return p.kind === 'regular' && p.joinBucket === 0 && p.nightFactor === 0 && p.base >= 30;
      }),
      from: evalStart,
      to: evalEnd,
      during: (u, at) => {
        const p = profiles[u]!;
        const local = (((at / 3_600_000 + p.tz - p.start) % 24) + 24) % 24;
        return local >= 22.5 || local <= 3;
      },
    },
    {
      name: 'new users',
      members: joins.filter((u) => !victims.has(u)),
      from: joins.filter((u) => !victims.has(u)).map((u) => START_MS + profiles[u]!.joinBucket * BUCKET_MS),
      to: joins
        .filter((u) => !victims.has(u))
        .map((u) => START_MS + (profiles[u]!.joinBucket + BUCKETS_PER_DAY) * BUCKET_MS),
    },
    {
      name: 'batch jobs',
      members: benignUsers.filter((u) => profiles[u]!.kind === 'batch'),
      from: evalStart,
      to: evalEnd,
    },
    {
      name: 'population 3x surge',
      members: benignUsers.filter((u) => activeIn(u, ev.surgeFrom, ev.surgeTo)),
      from: ev.surgeFrom - 30 * 60_000,
      to: ev.surgeTo + 2 * 3_600_000,
    },
    {
      name: 'busy evening, quiet night',
      members: benignUsers.filter((u) => profiles[u]!.evening !== undefined),
      from: evalStart,
      to: evalEnd,
      during: (u, at) => {
        const p = profiles[u]!;
        const local = (((at / 3_600_000 + p.tz - p.start) % 24) + 24) % 24;
        return local >= p.length && local < 22;
      },
    },
    {
      name: 'holiday',
      members: benignUsers,
      from: (ev.holidayDay - 1) * DAY_MS,
      to: (ev.holidayDay + 2) * DAY_MS,
      during: (u, at) => Math.floor((at / 3_600_000 + profiles[u]!.tz) / 24) === ev.holidayDay,
    },
    {
      name: 'event day',
      members: benignUsers,
      from: (ev.eventDay - 1) * DAY_MS,
      to: (ev.eventDay + 2) * DAY_MS,
      during: (u, at) => Math.floor((at / 3_600_000 + profiles[u]!.tz) / 24) === ev.eventDay,
    },
    {
      name: 'retry storm (5xx)',
      members: benignUsers.filter((u) => activeIn(u, ev.outageFrom, ev.outageTo)),
      from: ev.outageFrom,
      to: ev.outageTo + 2 * 3_600_000,
    },
  ];

  let benignUserDays = 0;
  for (const u of benignUsers) {
    for (let d = options.warmupDays; d < options.days; d++) {
      if (activeIn(u, START_MS + d * DAY_MS, START_MS + (d + 1) * DAY_MS)) benignUserDays++;
    }
  }
  const unmodelled = new Uint8Array(bucketCount);
  for (let t = 0; t < bucketCount; t++) {
    const ms = START_MS + t * BUCKET_MS;
    if (isOutage(ev, ms) || isCatchUp(ev, ms)) unmodelled[t] = 1;
  }
  return {
    startMs: START_MS,
    bucketCount,
    warmupBuckets,
    entities,
    columns,
    episodes,
    traps,
    benignUserDays,
    profiles,
    organic: organic.bursts,
    organicCells,
    means,
    dayLevels,
    unmodelled,
  };
}

/** Share of the users present from the start who work into busy evenings on some days. */
const EVENING_USERS = 0.1;
/** Share of the users present from the start (not batch jobs) who burst now and then, and how often. */
const BURSTY_USERS = 0.04;
const BURSTS_PER_DAY = 1 / 7;

/**
 * Organic bursts, as seen in real API traffic: a few per cent of users, about once a week each,
 * send 4x to 60x their plateau rate for 15 to 90 minutes inside their working day (a news spike, a
 * batch of orders). They are benign; such users are never abuse victims.
 */
function planOrganicBursts(
  rng: Rng,
  profiles: readonly Profile[],
  users: number,
  startMs: number,
  bucketCount: number,
): { bursts: OrganicBurst[]; byUser: Map<number, OrganicBurst[]> } {
  const bursts: OrganicBurst[] = [];
  const byUser = new Map<number, OrganicBurst[]>();
  const days = Math.floor((bucketCount * BUCKET_MS) / DAY_MS);
  for (let u = 0; u < users; u++) {
    const p = profiles[u]!;
    if (p.kind === 'batch' || !rng.chance(BURSTY_USERS)) continue;
    const mine: OrganicBurst[] = [];
    for (let d = 0; d < days; d++) {
      if (!rng.chance(BURSTS_PER_DAY)) continue;
      const duration = rng.uniform(15, 90) * 60_000;
      const local = p.kind === 'heavy' ? rng.uniform(0, 24) : p.start + rng.uniform(0.5, p.length - 1.5);
      const onset = startMs + d * DAY_MS + (local - p.tz) * 3_600_000;
      if (onset < startMs || onset + duration > startMs + bucketCount * BUCKET_MS) continue;
      mine.push({ entity: u, onset, end: onset + duration, multiplier: rng.logUniform(4, 60) });
    }
    if (mine.length === 0) continue;
    byUser.set(u, mine);
    bursts.push(...mine);
  }
  return { bursts, byUser };
}

/** Per bucket overlapped by [onset, end): its index and how much of it. */
function* bucketsOverlapping(
  startMs: number,
  bucketCount: number,
  onset: number,
  end: number,
): Generator<{ t: number; f: number }> {
  const first = Math.max(0, Math.floor((onset - startMs) / BUCKET_MS));
  const last = Math.min(bucketCount - 1, Math.floor((end - 1 - startMs) / BUCKET_MS));
  for (let t = first; t <= last; t++) {
    const from = Math.max(onset, startMs + t * BUCKET_MS);
    const to = Math.min(end, startMs + (t + 1) * BUCKET_MS);
    if (to > from) yield { t, f: (to - from) / BUCKET_MS };
  }
}
