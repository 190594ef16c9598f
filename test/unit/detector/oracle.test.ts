// The known-rate reference: held to the false-block budget it is given, and on the seeded traffic
// it shows what the bars ask is in the data (a detector that knew each user's rate would meet them).
import { describe, expect, it } from 'vitest';
import { generateTraffic } from '../../../eval/detector/generate';
import { runOracle } from '../../../eval/detector/oracle';

const SCENARIO = { seed: 42, users: 800, days: 12, warmupDays: 7, episodesPerType: 16 };

describe('known-rate reference', () => {
  it(
    'keeps within its false-block budget, and a tighter budget raises its threshold',
    { timeout: 60_000 },
    () => {
      const traffic = generateTraffic(SCENARIO);
      const loose = runOracle(traffic, 5);
      const strict = runOracle(traffic, 1);
      expect(loose.score.falsePer10kUserDays).toBeLessThanOrEqual(5);
      expect(strict.score.falsePer10kUserDays).toBeLessThanOrEqual(1);
      expect(strict.threshold).toBeGreaterThan(loose.threshold);
      // Reached inside the search range, not stopped at its end.
      expect(strict.threshold).toBeLessThan(32);
      expect(strict.score.falseBlocks).toBeLessThanOrEqual(loose.score.falseBlocks);
    },
  );

  it(
    'meets the volume bars the detector misses, so they are reachable on this traffic',
    { timeout: 60_000 },
    () => {
      const { score } = runOracle(generateTraffic(SCENARIO));
      expect(score.byType['burst 10x+'].recall).toBe(1);
      expect(score.byType['burst 5x'].recall).toBeGreaterThanOrEqual(0.8);
      expect(score.byType['slow ramp'].recall).toBeGreaterThanOrEqual(0.7);
      // Abuse it cannot judge (no known rate: new accounts, IPs) is never flagged by it.
      expect(score.byType['auth storm'].detected).toBe(0);
    },
  );
});
