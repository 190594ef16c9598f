import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  describeStalls,
  measureHostStalls,
  STALL_MIN_MS,
  summarizeStalls,
} from '../../../bench/lib/host-stalls';

describe('host stalls', () => {
  it('counts gaps of the threshold or longer, per core-second, with the share of time lost', () => {
    const s = summarizeStalls([0.3, STALL_MIN_MS, 5, 1.5, 0.49], 2, 1);
    expect(s.perCoreSecond).toBe(1.5);
    expect(s.lostShare).toBeCloseTo(7 / 2000, 12);
    expect(s.maxMs).toBe(5);
    expect(s.tenthMs).toBe(0);
    expect(describeStalls(s)).toBe(
      'host stalls: 1.5 per core-second over 0.5 ms, 0.35% of the time, longest 5.0 ms ' +
        '(10th 0.0 ms; a clock-reading loop on each core for 1 s)',
    );
  });

  it('reads the tenth longest once there are ten', () => {
    const gaps = Array.from({ length: 12 }, (_, i) => i + 1);
    expect(summarizeStalls(gaps, 1, 1).tenthMs).toBe(3);
  });

  it('spins one process per core and reports what they saw', async () => {
    const s = await measureHostStalls(0.2);
    expect(s.cores).toBe(cpus().length);
    expect(s.seconds).toBe(0.2);
    expect(s.lostShare).toBeGreaterThanOrEqual(0);
    expect(s.lostShare).toBeLessThan(1);
    expect(s.maxMs === 0 || s.maxMs >= STALL_MIN_MS).toBe(true);
  });
});
