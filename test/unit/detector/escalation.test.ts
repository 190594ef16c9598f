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
  anomalyThrottleTtlSeconds: 1800,
  anomalyThrottlePatienceSeconds: 5400,
  anomalyMaxBlockTtlSeconds: 4 * 3600,
  anomalyEscalationWindowSeconds: 86400,
};
const LIMIT = { capacity: 30, refillPerSecond: 0.5 };
/** A decision whose evidence warrants a block (an abuse signature), unless `overrides` say otherwise. */
const decision = (allowlisted = false, overrides: Partial<Decision> = {}): Decision => ({
  entity: userEntity('alice'),
  signal: 'auth-storm',
  window: '1h',
  current: 400,
  baseline: 10,
  ratio: 40,
  score: 12,
  reason: 'test',
  baselineSource: 'recent',
  otherSignals: [],
  allowlisted,
  action: 'block',
  why: 'abuse signature (auth-storm): blocked',
  limit: LIMIT,
  usualHourly: 10,
  ...overrides,
});
/** Volume alone: warrants a throttle. */
const volume = (overrides: Partial<Decision> = {}) =>
  decision(false, { signal: 'burst', action: 'throttle', why: 'volume only (burst)', ...overrides });

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

describe('planAction: the graduated response', () => {
  it("throttles volume alone, with the decision's limit and the throttle TTL", () => {
    expect(planAction(volume(), undefined, settings, NOW, NOW)).toMatchObject({
      kind: 'throttle',
      response: 'throttle',
      limit: LIMIT,
      strikes: 1,
      blockedAt: NOW_S,
      expiresAt: NOW_S + 1800,
    });
  });

  it('doubles a repeat throttle, and skips an entity already throttled', () => {
    const first = planAction(volume(), undefined, settings, NOW, NOW);
    if (first.kind !== 'throttle') throw new Error('expected a throttle');
    const history = historyAfter(first, undefined, NOW);
    expect(history).toMatchObject({ throttleExpiresAt: NOW_S + 1800, throttledSince: NOW_S });
    const soon = NOW + 15 * 60_000;
    expect(planAction(volume(), history, settings, soon, soon)).toMatchObject({
      kind: 'skip',
      reason: 'already-throttled',
    });
    const later = NOW + 3 * 3600_000;
    expect(planAction(volume(), history, settings, later, later)).toMatchObject({
      kind: 'throttle',
      strikes: 2,
      expiresAt: later / 1000 + 3600,
    });
  });

  it('blocks an abuse signature even while the entity is throttled and its throttle was reported', () => {
    const first = planAction(volume(), undefined, settings, NOW, NOW);
    if (first.kind !== 'throttle') throw new Error('expected a throttle');
    const soon = NOW + 15 * 60_000;
    expect(planAction(decision(), historyAfter(first, undefined, NOW), settings, soon, soon)).toMatchObject({
      kind: 'block',
      response: 'block',
      expiresAt: soon / 1000 + 3600,
    });
  });

  it("blocks a block's repeat offender on volume alone", () => {
    const block = planAction(decision(), undefined, settings, NOW, NOW);
    if (block.kind !== 'block') throw new Error('expected a block');
    const later = NOW + 3 * 3600_000;
    const next = planAction(volume(), historyAfter(block, undefined, NOW), settings, later, later);
    expect(next).toMatchObject({ kind: 'block', strikes: 2 });
    expect(next).not.toHaveProperty('limit');
  });

  it('blocks a throttled entity that keeps hitting its throttle past the patience, not before', () => {
    const first = planAction(volume(), undefined, settings, NOW, NOW);
    if (first.kind !== 'throttle') throw new Error('expected a throttle');
    // The throttle ends after 30 minutes; the entity is throttled again at once (one run).
    const renewedAt = NOW + 30 * 60_000;
    const renewed = planAction(volume(), historyAfter(first, undefined, NOW), settings, renewedAt, renewedAt);
    if (renewed.kind !== 'throttle') throw new Error('expected a renewed throttle');
    const history = historyAfter(renewed, historyAfter(first, undefined, NOW), renewedAt);
    expect(history.throttledSince).toBe(NOW_S);
    // Its 429s read as the rate-limit signature (which alone would block).
    const hammering = decision(false, { signal: 'rate-limit' });
    const early = NOW + 60 * 60_000;
    expect(planAction(hammering, history, settings, early, early)).toMatchObject({
      kind: 'skip',
      reason: 'already-throttled',
    });
    const late = NOW + 90 * 60_000;
    expect(planAction(hammering, history, settings, late, late)).toMatchObject({
      kind: 'block',
      response: 'block',
    });
  });

  it("does not block on the 429s of the detector's own throttle once it has ended", () => {
    const first = planAction(volume(), undefined, settings, NOW, NOW);
    if (first.kind !== 'throttle') throw new Error('expected a throttle');
    const ended = NOW + 30 * 60_000;
    const next = planAction(
      decision(false, { signal: 'rate-limit' }),
      historyAfter(first, undefined, NOW),
      settings,
      ended,
      ended,
    );
    expect(next).toMatchObject({ kind: 'throttle', response: 'throttle' });
  });

  it('in shadow mode throttles on paper only, and reports an allowlisted entity instead', () => {
    const shadow = { ...settings, anomalyAutoBlock: false };
    const paper = planAction(volume(), undefined, shadow, NOW, NOW);
    expect(paper).toMatchObject({ kind: 'shadow', response: 'throttle', limit: LIMIT });
    if (paper.kind !== 'shadow') throw new Error('expected shadow');
    expect(historyAfter(paper, undefined, NOW).throttleExpiresAt).toBeUndefined();
    expect(planAction(volume({ allowlisted: true }), undefined, settings, NOW, NOW)).toMatchObject({
      kind: 'report',
      reason: 'allowlisted',
    });
  });
});
