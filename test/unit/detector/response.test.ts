// The graduated response in detection: volume alone throttles (generously, from the entity's own
// rate) at a lower bar than a block; abuse signatures and extreme volume block; a strong single
// bucket throttles in its first run; and a busy evening does not hide a surge in the quiet night.
import { describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../../../core/shared/buckets';
import { ipEntity, userEntity } from '../../../core/shared/entity';
import { detect } from '../../../lambda/anomaly-detector/detect';
import type { SignalHit } from '../../../lambda/anomaly-detector/decision';
import { blockWorthy, throttleLimit } from '../../../lambda/anomaly-detector/response';
import { NOW, population, settings, Traffic } from '../../helpers/detector-traffic';

const alice = userEntity('alice');
const decisionFor = (traffic: Traffic, id: string, overrides = {}) =>
  detect(traffic.input(), settings(overrides), NOW).decisions.find((d) => d.entity.id === id);
/** Alice usually sends 40/h at this hour, and did in the 8 hours before. */
const usual = () => population(new Traffic(), 60).seasonal(alice, 7, 40).hours(alice, 2, 9, 40);

describe('the graduated response', () => {
  it('throttles volume alone, at a limit of at least 3x the usual rate and never below the floor', () => {
    const traffic = usual().hour(alice, 1, 400);
    const decision = decisionFor(traffic, 'alice');
    expect(decision).toMatchObject({ action: 'throttle' });
    expect(decision!.usualHourly).toBeGreaterThanOrEqual(40);
    const s = settings();
    expect(decision!.limit.refillPerSecond * 3600).toBeGreaterThanOrEqual(3 * decision!.usualHourly);
    expect(decision!.limit.refillPerSecond).toBeGreaterThanOrEqual(s.anomalyThrottleMinRate);
    expect(decision!.limit.capacity).toBeGreaterThanOrEqual(1);
  });

  it('scales the throttle with a heavy user, by ANOMALY_THROTTLE_FACTOR, above the floor', () => {
    const s = settings();
    const heavy = throttleLimit(10_000, s);
    expect(heavy.refillPerSecond).toBeGreaterThanOrEqual((s.anomalyThrottleFactor * 10_000) / 3600);
    expect(heavy.refillPerSecond).toBeLessThan((s.anomalyThrottleFactor * 10_000) / 3600 + 0.1);
    expect(throttleLimit(1, s).refillPerSecond).toBe(s.anomalyThrottleMinRate);
  });

  it('flags at the lower throttle bar what the block bars let pass', () => {
    const traffic = usual().hour(alice, 1, 130);
    const score = decisionFor(traffic, 'alice', { anomalyThrottleInstantSignificance: 0 })!.score;
    // Block bars just above the hit, the throttle bar just below it.
    const bars = {
      anomalySignificance: score + 0.5,
      anomalyNoiseSignificance: score + 0.5,
      anomalyThrottleInstantSignificance: 0,
    };
    expect(decisionFor(traffic, 'alice', { ...bars, anomalyThrottleSignificance: 50 })).toBeUndefined();
    expect(
      decisionFor(traffic, 'alice', { ...bars, anomalyThrottleSignificance: score - 0.5 }),
    ).toMatchObject({
      action: 'throttle',
    });
  });

  it("throttles against today's level from its own, higher bar; against the usual level from the usual one", () => {
    // Earlier days at 20 to 60/h, each hour half the two before it; today a quiet 15/h, then 100.
    const traffic = population(new Traffic(), 60);
    [20, 40, 60, 30, 50, 25, 45].forEach((level, i) =>
      traffic.hours(alice, (i + 1) * 24 + 1, (i + 1) * 24 + 3, level),
    );
    traffic.hours(alice, 2, 9, 15).hour(alice, 1, 100);
    const bars = {
      anomalySignificance: 50,
      anomalyNoiseSignificance: 50,
      anomalyInstantSignificance: 0,
      anomalyThrottleInstantSignificance: 0,
    };
    const hit = decisionFor(traffic, 'alice', { ...bars, anomalyTodayThrottleSignificance: 0 });
    expect(hit).toMatchObject({ baselineSource: 'today', action: 'throttle' });
    const at = (today: number) =>
      decisionFor(traffic, 'alice', { ...bars, anomalyTodayThrottleSignificance: today });
    expect(at(hit!.score - 0.1)).toMatchObject({ baselineSource: 'today', action: 'throttle' });
    expect(at(hit!.score + 0.1)).toBeUndefined();
    // A burst against the usual level does not answer to it.
    const burst = usual();
    for (const b of [4, 3, 2]) burst.bucket(alice, b * BUCKET_MS, { requests: 10 });
    burst.bucket(alice, BUCKET_MS, { requests: 70 });
    expect(
      decisionFor(burst, 'alice', {
        anomalyThrottleInstantSignificance: 0,
        anomalyTodayThrottleSignificance: 50,
      }),
    ).toMatchObject({ signal: 'burst', action: 'throttle' });
  });

  it('blocks an auth storm (an abuse signature)', () => {
    const ip = ipEntity('203.0.113.7');
    const traffic = population(new Traffic(), 30);
    for (let h = 2; h <= 9; h++) traffic.hour(ip, h, 8, { authFailures: 2 });
    traffic.bucket(ip, BUCKET_MS, { requests: 300, authFailures: 300, errors4xx: 300 });
    expect(decisionFor(traffic, '203.0.113.7')).toMatchObject({ signal: 'auth-storm', action: 'block' });
  });

  it('blocks volume beyond ANOMALY_BLOCK_VOLUME_RATIO, and throttles it below', () => {
    const traffic = usual().hour(alice, 1, 8000);
    expect(decisionFor(traffic, 'alice')).toMatchObject({ action: 'block' });
    expect(decisionFor(traffic, 'alice', { anomalyBlockVolumeRatio: 1000 })).toMatchObject({
      action: 'throttle',
    });
  });

  it('throttles a single bucket far above the throttle bar in its first run, a weaker one not', () => {
    const traffic = usual();
    for (const b of [4, 3, 2]) traffic.bucket(alice, b * BUCKET_MS, { requests: 10 });
    traffic.bucket(alice, BUCKET_MS, { requests: 70 });
    const decision = decisionFor(traffic, 'alice', { anomalyThrottleInstantSignificance: 0 });
    expect(decision).toMatchObject({ signal: 'burst', window: '15m', action: 'throttle' });
    // Far above the throttle bar: no confirmation needed.
    const instant = decision!.score - 0.1;
    expect(decisionFor(traffic, 'alice', { anomalyThrottleInstantSignificance: instant })).toBeDefined();
    // Just above it: the run before must have flagged it too, and it did not.
    expect(
      decisionFor(traffic, 'alice', { anomalyThrottleInstantSignificance: decision!.score + 0.1 }),
    ).toBeUndefined();
  });

  it('sees a surge in a quiet hour after a busy evening: the recent level follows the daily shape', () => {
    // Earlier days: busy evenings (200/h) until 3 hours before this hour, then a quiet night (10/h).
    const traffic = population(new Traffic(), 60);
    for (let d = 1; d <= 7; d++) {
      traffic.hours(alice, d * 24 - 1, d * 24 + 3, 10).hours(alice, d * 24 + 4, d * 24 + 6, 200);
    }
    // Today the same, then 6x the quiet level in the current hour.
    traffic.hours(alice, 4, 9, 200).hours(alice, 2, 3, 10).hour(alice, 1, 60);
    const decision = decisionFor(traffic, 'alice', { anomalyThrottleInstantSignificance: 0 });
    expect(decision).toMatchObject({ action: 'throttle' });
    expect(decision!.baseline).toBeLessThan(20);
    // The throttle still leaves it the evening's rate.
    expect(decision!.usualHourly).toBeGreaterThanOrEqual(150);
  });

  it('never throttles a user below what it sent in the hour before, whatever earlier days say', () => {
    // Earlier days and most of today at 40/h; the hour before at 600/h (a busy day's start), then
    // the current hour far above both.
    const traffic = usual().hour(alice, 2, 600).hour(alice, 1, 4000);
    const decision = decisionFor(traffic, 'alice', { anomalyBlockVolumeRatio: 1000 });
    expect(decision).toMatchObject({ action: 'throttle' });
    expect(decision!.usualHourly).toBeGreaterThanOrEqual(600);
    expect(decision!.limit.refillPerSecond * 3600).toBeGreaterThanOrEqual(3 * 600);
  });

  it("judges extreme volume against the entity's usual rate too, not only a quiet hour's expectation", () => {
    const s = settings();
    // 1,200 in 15 minutes where 10 were expected: 120x the quiet hour, but 4,800/h is 24x a usual
    // 200/h (a benign burst in a quiet moment).
    const hit: SignalHit = {
      signal: 'burst',
      window: '15m',
      current: 1200,
      baseline: 10,
      ratio: 120,
      score: 40,
      reason: 'test',
      blockBar: s.anomalySignificance,
    };
    expect(blockWorthy(hit, s, 200)).toBe(false);
    expect(blockWorthy(hit, s, 40)).toBe(true);
    expect(blockWorthy({ ...hit, signal: 'auth-storm' }, s, 200)).toBe(true);
  });
});
