import { describe, expect, it } from 'vitest';
import { evaluationTime } from '../../../lambda/anomaly-detector/handler';

const NOW = Date.UTC(2026, 10, 29, 12, 7, 0);

describe('evaluationTime (manual runs)', () => {
  it('defaults to now for scheduled runs', () => {
    expect(evaluationTime(undefined, NOW)).toBe(NOW);
    expect(evaluationTime({}, NOW)).toBe(NOW);
  });

  it('accepts the end of the current bucket and recent times', () => {
    expect(evaluationTime({ evaluateAt: '2026-11-29T12:15:00.000Z' }, NOW)).toBe(
      Date.UTC(2026, 10, 29, 12, 15),
    );
    expect(evaluationTime({ evaluateAt: '2026-11-29T11:30:00Z' }, NOW)).toBe(Date.UTC(2026, 10, 29, 11, 30));
  });

  it.each(['tomorrow', '2026-11-29T13:00:00Z', '2026-11-29T10:00:00Z'])('refuses %s', (evaluateAt) => {
    expect(() => evaluationTime({ evaluateAt }, NOW)).toThrow(
      expect.objectContaining({ code: 'ERR_DETECTOR_INPUT_INVALID' }),
    );
  });
});
