// The known-rate references: held to the budget they are given (false blocks, or false throttles
// outside organic bursts); on the seeded traffic
// the one told true rates meets the bars ours misses (they are in the data), and knowing less
// costs recall in order (the true rates, then less and less of them); learning the usual rates from
// history, as a detector must, costs more.
import { describe, expect, it } from 'vitest';
import { generateTraffic } from '../../../eval/detector/generate';
import { ORACLE_BUDGETS, runOracle, type OracleKnowledge } from '../../../eval/detector/oracle';

// Without organic bursts and the other real shapes: the references know what benign users send.
const traffic = generateTraffic({
  seed: 42,
  users: 800,
  days: 12,
  warmupDays: 7,
  episodesPerType: 16,
  realShapes: false,
});

describe('known-rate references', () => {
  it('keep within their false-block budget, and a tighter budget raises the threshold', () => {
    const loose = runOracle(traffic, 'rates', 5);
    const strict = runOracle(traffic, 'rates', 1);
    expect(loose.score.falsePer10kUserDays).toBeLessThanOrEqual(5);
    expect(strict.score.falsePer10kUserDays).toBeLessThanOrEqual(1);
    expect(strict.threshold).toBeGreaterThan(loose.threshold);
    // Reached inside the search range, not stopped at its end.
    expect(strict.threshold).toBeLessThan(32);
  });

  it('told true rates, meet the volume bars the detector misses: they are reachable on this traffic', () => {
    const { score } = runOracle(traffic, 'rates');
    expect(score.byType['burst 10x+'].recall).toBe(1);
    expect(score.byType['burst 5x'].recall).toBeGreaterThanOrEqual(0.8);
    expect(score.byType['slow ramp'].recall).toBeGreaterThanOrEqual(0.7);
    // Abuse they cannot judge (no known rate: new accounts, IPs) is never flagged by them.
    expect(score.byType['auth storm'].detected).toBe(0);
  });

  it("lose 5x bursts without today's level, and win most back by estimating it from two hours", () => {
    const recall = (knowledge: OracleKnowledge) =>
      runOracle(traffic, knowledge).score.byType['burst 5x'].recall;
    const rates = recall('rates');
    const usual = recall('usual');
    const today = recall('usual+today');
    expect(usual).toBeLessThan(rates);
    expect(today).toBeGreaterThan(usual);
    expect(today).toBeLessThanOrEqual(rates);
    // The two hours' estimate alone, without the prior on how busy a day can be, wins it back too.
    expect(recall('usual+today-raw')).toBeGreaterThan(usual);
  });

  it('learning the usual rates from the earlier days, as a detector must, costs recall that knowing them had', () => {
    const learned = runOracle(traffic, 'learned+today');
    const told = runOracle(traffic, 'usual+today');
    expect(learned.score.falsePer10kUserDays).toBeLessThanOrEqual(1);
    // It needs a higher z for the same budget: what it learned is wrong in more places.
    expect(learned.threshold).toBeGreaterThan(told.threshold);
    expect(learned.score.byType['burst 5x'].recall).toBeLessThan(told.score.byType['burst 5x'].recall);
    expect(learned.score.byType['slow ramp'].recall).toBeLessThan(told.score.byType['slow ramp'].recall);
    // Still a detector: 10x bursts stand out against any reasonable estimate.
    expect(learned.score.byType['burst 10x+'].recall).toBeGreaterThanOrEqual(0.8);
  });

  it('as throttles, keep within the false-throttle budget, which leaves organic bursts out', () => {
    const shaped = generateTraffic({
      seed: 42,
      users: 800,
      days: 12,
      warmupDays: 7,
      episodesPerType: 16,
      realShapes: true,
    });
    const throttles = runOracle(shaped, 'usual+today', ORACLE_BUDGETS.throttle, 'throttle');
    const blocks = runOracle(shaped, 'usual+today', ORACLE_BUDGETS.throttle, 'block');
    expect(throttles.score.falseThrottlesPer10kUserDays).toBeLessThanOrEqual(ORACLE_BUDGETS.throttle);
    expect(throttles.score.blocks).toBe(0);
    expect(blocks.score.throttles).toBe(0);
    // Organic bursts spend a block's budget but not a throttle's: the same budget buys a lower bar.
    expect(throttles.threshold).toBeLessThan(blocks.threshold);
    expect(throttles.score.byType['burst 5x'].recall).toBeGreaterThanOrEqual(
      blocks.score.byType['burst 5x'].recallBlock,
    );
  });
});
