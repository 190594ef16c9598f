// The throttle level of `sentinel blocklist add --throttle`: a rate such as `2/s`, `120/m` or
// `600/h`, and a burst. The bucket holds one second's worth of the rate (at least one token) unless
// --burst says otherwise: a throttled client gets a steady pace, not a fresh surge each refill.
import type { ThrottleLimit } from '../../../core/shared/block-record';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string; hint: string };

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const RATE = /^(\d+(?:\.\d+)?)\s*\/\s*(s|sec|second|m|min|minute|h|hr|hour)$/i;
/** Bounds that keep the bucket's arithmetic exact and a throttle meaningful. */
const MAX_PER_SECOND = 1_000_000;
const MIN_PER_SECOND = 1 / 86_400;
const RATE_HINT = 'write requests per unit: 2/s, 120/m or 600/h';

/** Requests per second from `2/s`, `120/m`, `600/h`. */
export function parseRate(text: string): Parsed<number> {
  const match = RATE.exec(text.trim());
  if (!match) return { ok: false, problem: `"${text}" is not a rate`, hint: RATE_HINT };
  const perSecond = Number(match[1]) / UNIT_SECONDS[match[2]!.charAt(0).toLowerCase()]!;
  if (!(perSecond >= MIN_PER_SECOND && perSecond <= MAX_PER_SECOND))
    return { ok: false, problem: `"${text}" is out of range`, hint: 'use from 1/d (1/86400s) to 1000000/s' };
  return { ok: true, value: perSecond };
}

/** The default burst: one second's worth of the rate, at least one request. */
export function defaultBurst(perSecond: number): number {
  return Math.max(1, Math.ceil(perSecond));
}

/** The limit of `--throttle <rate> [--burst <n>]`; a problem names its flag. */
export function throttleLimit(rate: string, burst: string | undefined): Parsed<ThrottleLimit> {
  const perSecond = parseRate(rate);
  if (!perSecond.ok) return { ...perSecond, problem: `--throttle ${perSecond.problem}` };
  if (burst === undefined)
    return { ok: true, value: { capacity: defaultBurst(perSecond.value), refillPerSecond: perSecond.value } };
  const capacity = Number(burst);
  if (!/^\d+$/.test(burst.trim()) || capacity < 1 || capacity > MAX_PER_SECOND)
    return { ok: false, problem: `--burst "${burst}" is not a whole number from 1`, hint: 'e.g. --burst 10' };
  return { ok: true, value: { capacity, refillPerSecond: perSecond.value } };
}

/** A limit as people write it: `2/s`, `120/m`, `10/h`, with the burst when it is not the default. */
export function formatLimit(limit: ThrottleLimit): string {
  const per = (n: number) => String(Number(n.toFixed(2)));
  const rate =
    limit.refillPerSecond >= 1
      ? `${per(limit.refillPerSecond)}/s`
      : limit.refillPerSecond * 60 >= 1
        ? `${per(limit.refillPerSecond * 60)}/m`
        : `${per(limit.refillPerSecond * 3600)}/h`;
  return limit.capacity === defaultBurst(limit.refillPerSecond) ? rate : `${rate} burst ${limit.capacity}`;
}
