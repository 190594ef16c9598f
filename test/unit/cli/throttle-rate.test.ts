// The throttle level as typed (`2/s`, `120/m`, `--burst`) and as shown.
import { describe, expect, it } from 'vitest';
import { formatLimit, parseRate, throttleLimit } from '../../../src/cli/commands/throttle-rate';

describe('throttle rates', () => {
  it('reads requests per second, minute and hour', () => {
    expect(parseRate('2/s')).toEqual({ ok: true, value: 2 });
    expect(parseRate('120/m')).toEqual({ ok: true, value: 2 });
    expect(parseRate('1800 / hour')).toEqual({ ok: true, value: 0.5 });
    for (const bad of ['fast', '2', '/s', '-1/s', '0/s', '2/d', '2000000/s'])
      expect(parseRate(bad).ok, bad).toBe(false);
  });

  it("holds one second's worth by default (at least one), or the burst given", () => {
    expect(throttleLimit('2/s', undefined)).toEqual({ ok: true, value: { capacity: 2, refillPerSecond: 2 } });
    expect(throttleLimit('30/m', undefined)).toEqual({
      ok: true,
      value: { capacity: 1, refillPerSecond: 0.5 },
    });
    expect(throttleLimit('120/m', '20')).toEqual({ ok: true, value: { capacity: 20, refillPerSecond: 2 } });
    expect(throttleLimit('2/s', '0')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^--burst/),
    });
    expect(throttleLimit('soon', undefined)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^--throttle/),
    });
  });

  it('prints a limit as it would be typed', () => {
    expect(formatLimit({ capacity: 2, refillPerSecond: 2 })).toBe('2/s');
    expect(formatLimit({ capacity: 1, refillPerSecond: 0.5 })).toBe('30/m');
    expect(formatLimit({ capacity: 1, refillPerSecond: 10 / 3600 })).toBe('10/h');
    expect(formatLimit({ capacity: 20, refillPerSecond: 2 })).toBe('2/s burst 20');
  });
});
