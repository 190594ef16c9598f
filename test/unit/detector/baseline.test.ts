// Unit tests of the expectations behind the volume signals, where a decision alone would not show
// which expectation moved.
import { describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../../../core/shared/buckets';
import { userEntity, type Entity } from '../../../core/shared/entity';
import { computeBaselines } from '../../../lambda/anomaly-detector/baseline';
import { computeWindows } from '../../../lambda/anomaly-detector/windows';
import { NOW, population, settings, Traffic } from '../../helpers/detector-traffic';

const alice = userEntity('alice');

function baselines(traffic: Traffic) {
  const input = traffic.input();
  const config = settings();
  const w = computeWindows(input, NOW, config.anomalyHistoryDays);
  const b = computeBaselines(input.entities, w, config);
  const index = (id: string) => input.entities.findIndex((entity) => entity.id === id);
  /** Today's expectation and its φ for the current hour (NaN where today's level does not apply). */
  const hour = (id: string) => {
    const today = b.today.find((t) => t.buckets === 4)!;
    return { expected: today.expected[index(id)]!, phi: today.phi[index(id)]! };
  };
  return { hour, bucketPhi: (id: string) => b.bucketPhi[index(id)]! };
}

const todayHour = (traffic: Traffic) => baselines(traffic).hour('alice').expected;

describe('computeBaselines', () => {
  it("raises today's level after an upstream outage in its reference, for everyone alike", () => {
    // Alice sends 100/h, as every day. An outage answered 85% of everyone's requests in hours 2 and
    // 3 (the current hour's reference) with 5xx, which are not counted: her reference looks quiet,
    // and so does everyone's.
    const day = (outage: boolean) => {
      const traffic = population(new Traffic(), 60).seasonal(alice, 7, 100).hours(alice, 1, 9, 100);
      if (!outage) return traffic;
      // The same requests again in hours 2 and 3 (a later record of a bucket replaces the earlier),
      // 85% of each bucket's answered with 5xx; the population's rates are those `population` writes.
      const everyone = [{ entity: alice, rate: 100 }];
      for (let i = 0; i < 60; i++) everyone.push({ entity: userEntity(`pop${i}`), rate: 8 + (i % 20) * 3 });
      for (const { entity, rate } of everyone) {
        for (const h of [2, 3]) traffic.hour(entity, h, rate, { errors5xx: Math.round((0.85 * rate) / 4) });
      }
      return traffic;
    };
    const ordinary = todayHour(day(false));
    expect(ordinary).toBeCloseTo(100, -1);
    // Without the population's own drop the outage left her at the floor, 70% of her usual level.
    const afterOutage = todayHour(day(true));
    expect(afterOutage).toBeGreaterThan(0.9 * ordinary);
    expect(afterOutage).toBeLessThan(1.25 * ordinary);
  });

  it("takes today's noise within a day: quieter days do not make a user look noisier", () => {
    // Both send 100/h today and on weekdays, in buckets alternating 10 and 40; bob's weekend (2 and
    // 3 days ago) alternates 1 and 4.
    const bob = userEntity('bob');
    const alternating = (traffic: Traffic, entity: Entity, fromHour: number, toHour: number, low: number) => {
      for (let b = fromHour * 4; b <= toHour * 4 + 3; b++)
        traffic.bucket(entity, b * BUCKET_MS + BUCKET_MS, { requests: b % 2 === 0 ? low : 4 * low });
    };
    const traffic = population(new Traffic(), 60);
    for (const entity of [alice, bob]) {
      alternating(traffic, entity, 0, 8, 10);
      for (let d = 1; d <= 7; d++) {
        const weekend = entity === bob && (d === 2 || d === 3);
        alternating(traffic, entity, d * 24 - 1, d * 24 + 4, weekend ? 1 : 10);
      }
    }
    const b = baselines(traffic);
    // The 15-minute dispersion over all days counts part of the weekend's lower level as noise...
    expect(b.bucketPhi('bob')).toBeGreaterThan(1.2 * b.bucketPhi('alice'));
    // ...today's level does not: its window and reference lie within one day.
    expect(b.hour('bob').phi).toBeCloseTo(b.hour('alice').phi, 2);
  });
});
