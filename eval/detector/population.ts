// Benign users: lognormal rates, a daily shape in each user's own time zone, idle nights, quieter
// weekends, day-to-day variation and overdispersed (negative binomial) counts, busy evenings before
// quiet nights; plus the benign traps that fool a naive detector: morning ramp-ups, new users, batch
// jobs, a population-wide surge, an upstream outage that makes every client retry, a holiday and an
// event day. Organic bursts (generate.ts) come on top.
import { BUCKET_MS, BUCKETS_PER_DAY } from '../../core/shared/buckets';
import type { Rng } from './rng';

const HOUR_MS = 3_600_000;
/** Requests per 15 minutes the gateway lets through (the cost preset: 1 token/s). */
export const RATE_LIMIT_PER_BUCKET = 900;

export interface Profile {
  kind: 'regular' | 'heavy' | 'batch';
  /** UTC offset in hours. */
  tz: number;
  /** Local hour the working day starts, and its length. */
  start: number;
  length: number;
  nightFactor: number;
  weekendFactor: number;
  /** Requests per hour at the plateau of an ordinary day. */
  base: number;
  /** Negative binomial shape per bucket (smaller = burstier). */
  k: number;
  dayFactorSigma: number;
  share4xx: number;
  repertoire: number;
  /** First bucket with traffic (0 for users who exist from the start). */
  joinBucket: number;
  /** Requests in the first hour of a new user. */
  firstHour: number;
  /** Daily job: UTC bucket of day, buckets it lasts, requests per run. */
  job?: { bucketOfDay: number; buckets: number; volume: number };
  /**
   * Some days run into a busy evening (this many times the plateau, for EVENING_HOURS after the
   * working day) on this share of days, followed by a quiet night.
   */
  evening?: { factor: number; share: number };
}

/** Hours a busy evening lasts after the working day. */
const EVENING_HOURS = 4;

const TIME_ZONES = [0, 0, 0, 0, 1, 1, -5, -5, -8, 8];

export function drawProfile(rng: Rng, kind: Profile['kind']): Profile {
  const heavy = kind === 'heavy';
  const profile: Profile = {
    kind,
    tz: rng.pick(TIME_ZONES),
    start: 8.5 + rng.normal(),
    length: rng.uniform(7, 11),
    nightFactor: heavy ? rng.uniform(0.3, 0.7) : rng.chance(0.75) ? 0 : rng.uniform(0.02, 0.15),
    weekendFactor: heavy ? rng.uniform(0.6, 1) : rng.chance(0.5) ? rng.uniform(0, 0.2) : rng.uniform(0.6, 1),
    base: heavy
      ? Math.min(2500, Math.max(80, rng.logNormal(300, 0.5)))
      : Math.min(400, Math.max(0.5, rng.logNormal(kind === 'batch' ? 3 : 10, 1.1))),
    k: heavy ? rng.uniform(5, 20) : rng.uniform(2, 8),
    dayFactorSigma: heavy ? 0.15 : 0.25,
    share4xx: rng.uniform(0.005, 0.05),
    repertoire: rng.int(3, 15),
    joinBucket: 0,
    firstHour: 0,
  };
  if (kind === 'batch') {
    profile.job = {
      bucketOfDay: rng.int(0, BUCKETS_PER_DAY - 1),
      buckets: rng.int(1, 3),
      volume: rng.uniform(500, 3000),
    };
  }
  return profile;
}

/** Activity shape (0..1, more on a busy evening) at a local hour on a day that starts at `start`. */
function shape(p: Profile, localHour: number, start: number, busyEvening: boolean): number {
  if (p.kind === 'heavy')
    return p.nightFactor + (1 - p.nightFactor) * Math.max(0, Math.sin((Math.PI * (localHour - 5)) / 18));
  const t = localHour - start;
  if (busyEvening && p.evening && t >= p.length && t < p.length + EVENING_HOURS) return p.evening.factor;
  if (t < 0 || t >= p.length) return p.nightFactor;
  if (t < 1) return 0.25 + 0.75 * t;
  if (t > p.length - 1) return 0.4 + 0.6 * (p.length - t);
  if (Math.abs(t - p.length / 2) < 0.5) return 0.75;
  return 1;
}

/**
 * A user's local time in hours since the epoch, as the generator reads it for a bucket: at the
 * bucket's centre (7.5 minutes in), so that a bucket belongs wholly to one local day.
 */
export function localHoursOf(p: Profile, ms: number): number {
  return ms / HOUR_MS + p.tz + 0.125;
}

/** Epoch ms of the first bucket of the user's local day that holds `ms` (where its day factor starts). */
export function localDayBeginsMs(p: Profile, ms: number): number {
  return (Math.floor(localHoursOf(p, ms) / 24) * 24 - p.tz - 0.125) * HOUR_MS;
}

/** Population-wide events: the surge (a launch), the outage (retries), a holiday and an event day. */
export interface PopulationEvents {
  surgeFrom: number;
  surgeTo: number;
  outageFrom: number;
  outageTo: number;
  /** Local day numbers (days since the epoch): a weekday at weekend level, a day at `eventFactor`. */
  holidayDay: number;
  eventDay: number;
  eventFactor: number;
}

/** One organic burst of a benign user: `multiplier` times its plateau rate over [onset, end). */
export interface OrganicBurst {
  entity: number;
  onset: number;
  end: number;
  multiplier: number;
}

export function surgeMultiplier(ev: PopulationEvents, ms: number): number {
  if (ms < ev.surgeFrom - 30 * 60_000 || ms >= ev.surgeTo + 30 * 60_000) return 1;
  if (ms < ev.surgeFrom) return 2; // ramping in over half an hour
  if (ms >= ev.surgeTo) return 2;
  return 3;
}

/**
 * Benign expected requests per bucket for a user, for every bucket (also the base abuse is scaled
 * by); and into `levels`, the day factor each bucket's mean holds (how busy that day is for the user).
 */
export function benignMeans(
  rng: Rng,
  p: Profile,
  startMs: number,
  bucketCount: number,
  ev: PopulationEvents,
  out: Float32Array,
  levels: Float32Array,
): void {
  let day = Number.NaN;
  let dayFactor = 1;
  let dayStart = p.start;
  let busyEvening = false;
  for (let t = 0; t < bucketCount; t++) {
    if (t < p.joinBucket) {
      out[t] = 0;
      levels[t] = 1;
      continue;
    }
    const ms = startMs + t * BUCKET_MS;
    const localHours = localHoursOf(p, ms);
    const localDay = Math.floor(localHours / 24);
    if (localDay !== day) {
      day = localDay;
      dayFactor = Math.exp(p.dayFactorSigma * rng.normal());
      dayStart = p.start + 0.5 * rng.normal();
      busyEvening = p.evening !== undefined && rng.chance(p.evening.share);
    }
    const weekday = (((localDay + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday: 0 = Monday
    const weekend = weekday >= 5 || localDay === ev.holidayDay ? p.weekendFactor : 1;
    const event = localDay === ev.eventDay ? ev.eventFactor : 1;
    let mean =
      (p.base * shape(p, localHours - localDay * 24, dayStart, busyEvening) * dayFactor * weekend * event) /
      4;
    if (p.job) {
      const bucketOfDay = Math.floor((ms % 86_400_000) / BUCKET_MS);
      const offset = bucketOfDay - p.job.bucketOfDay;
      if (offset >= 0 && offset < p.job.buckets) mean += p.job.volume / p.job.buckets;
    }
    if (p.joinBucket > 0 && t < p.joinBucket + 4) mean = p.firstHour / 4;
    out[t] = mean * surgeMultiplier(ev, ms);
    levels[t] = dayFactor * event;
  }
}

/** Distinct endpoints among `requests` calls to a repertoire of `repertoire` endpoints. */
export function distinctEndpoints(requests: number, repertoire: number): number {
  if (requests <= 0) return 0;
  return Math.max(1, Math.round(repertoire * (1 - Math.exp(-requests / repertoire))));
}

export function isOutage(ev: PopulationEvents, ms: number): boolean {
  return ms >= ev.outageFrom && ms < ev.outageTo;
}

export function isCatchUp(ev: PopulationEvents, ms: number): boolean {
  return ms >= ev.outageTo && ms < ev.outageTo + 30 * 60_000;
}
