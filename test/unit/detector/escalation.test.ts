// Blocking plans: first block, fail2ban-style doubling for repeat offenders, the cap, skips for an
// entity already blocked or already reported for the window, shadow mode and the allowlist.
import { describe, expect, it } from 'vitest';
import { userEntity } from '../../../core/shared/entity';
import type { Decision } from '../../../lambda/anomaly-detector/decision';
import { blockDurationSeconds, historyAfter, planAction } from '../../../lambda/anomaly-detector/escalation';
import type { BlockSettings } from '../../../lambda/anomaly-detector/settings';

const NOW = Date.UTC(2025, 2, 12, 12, 0);
const NOW_S = NOW / 1000;
const settings: BlockSettings = {
  anomalyAutoBlock: true,
  anomalyAutoBlockTtlSeconds: 3600,
  anomalyMaxBlockTtlSeconds: 4 * 3600,
  anomalyEscalationWindowSeconds: 86400,
};
const decision = (allowlisted = false): Decision => ({
  entity: userEntity('alice'),
  signal: 'spike',
  window: '1h',
  current: 400,
  baseline: 10,
  ratio: 40,
  score: 12,
  reason: 'test',
  baselineSource: 'recent',
  otherSignals: [],
  allowlisted,
});

describe('planAction', () => {
  it('blocks a first offender for the base duration', () => {
    expect(planAction(decision(), undefined, settings, NOW, NOW)).toMatchObject({
      kind: 'block',
      strikes: 1,
      blockedAt: NOW_S,
      expiresAt: NOW_S + 3600,
    });
  });

  it('doubles for each repeat within the escalation window, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => blockDurationSeconds(n, settings))).toEqual([
      3600, 7200, 14400, 14400, 14400,
    ]);
    const first = planAction(decision(), undefined, settings, NOW, NOW);
    if (first.kind !== 'block') throw new Error('expected a block');
    const later = NOW + 2 * 3600_000;
    const second = planAction(decision(), historyAfter(first, undefined, NOW), settings, later, later);
    expect(second).toMatchObject({ kind: 'block', strikes: 2, expiresAt: later / 1000 + 7200 });
  });

  it('starts over once the last block is older than the escalation window', () => {
    const history = { strikes: 3, lastBlockedAt: NOW_S - 2 * 86400, lastWindowEnd: NOW - 2 * 86400_000 };
    expect(planAction(decision(), history, settings, NOW, NOW)).toMatchObject({ kind: 'block', strikes: 1 });
  });

  it('skips an entity with an active block of any source, and a window already processed', () => {
    expect(planAction(decision(), { blockExpiresAt: NOW_S + 60 }, settings, NOW, NOW)).toMatchObject({
      kind: 'skip',
      reason: 'already-blocked',
    });
    expect(planAction(decision(), { lastWindowEnd: NOW }, settings, NOW, NOW)).toMatchObject({
      kind: 'skip',
      reason: 'already-reported',
    });
  });

  it('in shadow mode plans the same block on paper and suppresses repeats while it would last', () => {
    const shadow = { ...settings, anomalyAutoBlock: false };
    const first = planAction(decision(), undefined, shadow, NOW, NOW);
    expect(first).toMatchObject({ kind: 'shadow', strikes: 1, expiresAt: NOW_S + 3600 });
    if (first.kind !== 'shadow') throw new Error('expected shadow');
    const history = historyAfter(first, undefined, NOW);
    expect(history.blockExpiresAt).toBeUndefined();
    const next = NOW + 15 * 60_000;
    expect(planAction(decision(), history, shadow, next, next)).toMatchObject({
      kind: 'skip',
      reason: 'already-reported',
    });
  });

  it('reports an allowlisted entity without blocking, once per block duration', () => {
    const report = planAction(decision(true), undefined, settings, NOW, NOW);
    expect(report).toMatchObject({ kind: 'report', reason: 'allowlisted', until: NOW_S + 3600 });
  });
});
