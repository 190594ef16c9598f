// The SNS message: subject with the count, readable summary first, then JSON details.
import { describe, expect, it } from 'vitest';
import { ipEntity, userEntity } from '../../../core/shared/entity';
import { formatAlert } from '../../../lambda/anomaly-detector/alert';
import type { Decision, Detection } from '../../../lambda/anomaly-detector/decision';
import type { AlertedAction } from '../../../lambda/anomaly-detector/escalation';

const NOW = Date.UTC(2025, 2, 12, 12, 0);
const base: Omit<Decision, 'entity'> = {
  signal: 'spike',
  window: '1h',
  current: 400,
  baseline: 10,
  ratio: 40,
  score: 12.345,
  reason: '400 requests in the last 1h, 40x the expected 10',
  baselineSource: 'recent',
  otherSignals: ['burst'],
  allowlisted: false,
  action: 'block',
  why: 'volume 40x the expected: blocked',
  limit: { capacity: 30, refillPerSecond: 0.5 },
  usualHourly: 10,
};
const detection: Detection = {
  now: NOW,
  windowStart: NOW - 3_600_000,
  windowEnd: NOW,
  decisions: [],
  population: { activeUsers: 10, prior: 50, factor: 1, hourDispersion: 0.1, bucketDispersion: 0.2 },
};

describe('formatAlert', () => {
  it('returns nothing when nothing was flagged', () => {
    expect(formatAlert([], detection)).toBeUndefined();
  });

  it('puts a count in the subject, a line per entity first and parseable JSON after', () => {
    const actions: AlertedAction[] = [
      {
        kind: 'block',
        response: 'block',
        why: 'volume 40x the expected: blocked',
        decision: { ...base, entity: userEntity('alice') },
        strikes: 2,
        blockedAt: NOW / 1000,
        expiresAt: NOW / 1000 + 7200,
      },
      {
        kind: 'report',
        decision: { ...base, entity: ipEntity('10.0.0.1'), allowlisted: true },
        reason: 'allowlisted',
        until: NOW / 1000 + 3600,
      },
    ];
    const alert = formatAlert(actions, detection)!;
    expect(alert.subject).toBe('SentinelAPI: 2 anomalies detected (1 blocked, 0 throttled)');
    const [summary, json] = alert.message.split('Details (JSON):\n');
    expect(summary).toContain('user:alice [spike]');
    expect(summary).toContain('blocked until 2025-03-12T14:00:00Z (repeat offence 2, doubled)');
    expect(summary).toContain('ip:10.0.0.1');
    expect(summary).toContain('allowlisted');
    const details = JSON.parse(json!);
    expect(details).toMatchObject({ count: 2, windowEnd: '2025-03-12T12:00:00.000Z' });
    expect(details.anomalies[0]).toMatchObject({
      entity: 'user:alice',
      action: 'block',
      strikes: 2,
      score: 12.35,
    });
    expect(details.anomalies[1]).toMatchObject({ entity: 'ip:10.0.0.1', action: 'report' });
  });

  it('names the action: a throttle with its limit, and what shadow mode would have done', () => {
    const limit = { capacity: 30, refillPerSecond: 0.5 };
    const enforcement = {
      decision: { ...base, entity: userEntity('bob'), action: 'throttle' as const },
      response: 'throttle' as const,
      why: 'volume only (spike)',
      strikes: 1,
      blockedAt: NOW / 1000,
      expiresAt: NOW / 1000 + 3600,
      limit,
    };
    const alert = formatAlert(
      [
        { ...enforcement, kind: 'throttle' },
        { ...enforcement, kind: 'shadow', decision: { ...enforcement.decision, entity: userEntity('eve') } },
      ],
      detection,
    )!;
    expect(alert.subject).toBe('SentinelAPI: 2 anomalies detected (0 blocked, 2 throttled)');
    const details = JSON.parse(alert.message.split('Details (JSON):\n')[1]!);
    expect(details.anomalies[0]).toMatchObject({ entity: 'user:bob', action: 'throttle', limit });
    expect(details.anomalies[1]).toMatchObject({ entity: 'user:eve', action: 'shadow-throttle', limit });
  });
});
