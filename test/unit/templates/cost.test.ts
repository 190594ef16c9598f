// The monthly cost estimate: every line shows its arithmetic, totals add up, presets differ as
// their sizing says, and the price table's date and region are stated.
/* eslint-disable @typescript-eslint/no-explicit-any -- reads untyped template data */
import { describe, expect, it } from 'vitest';
import { buildTemplate, estimateMonthlyCost } from '../../../src/templates';
import { PRICE_DATE, PRICE_REGION } from '../../../src/templates/prices';
import { configFor } from '../../helpers/template-fixtures';

describe('estimateMonthlyCost', () => {
  it('states region, date, assumptions and exclusions, and totals its lines', () => {
    const estimate = estimateMonthlyCost('full', configFor());
    expect(estimate).toMatchObject({ region: PRICE_REGION, priceDate: PRICE_DATE, currency: 'USD', preset: 'cost' });
    expect(estimate.assumptions.length).toBeGreaterThan(0);
    expect(estimate.excluded.join(' ')).toMatch(/data transfer/);
    const sum = estimate.lines.reduce((s, l) => s + l.monthlyUsd, 0);
    expect(estimate.totalUsd).toBeCloseTo(sum, 2);
    for (const line of estimate.lines) expect(line.basis).not.toBe('');
  });

  it('prices the cost preset near $48 and performance near $114 a month (us-east-1)', () => {
    const cost = estimateMonthlyCost('full', configFor());
    const performance = estimateMonthlyCost('full', configFor({ preset: 'performance' }));
    expect(cost.totalUsd).toBeGreaterThan(40);
    expect(cost.totalUsd).toBeLessThan(55);
    expect(performance.totalUsd).toBeGreaterThan(100);
    expect(performance.totalUsd).toBeLessThan(130);
    const redis = (e: typeof cost) => e.lines.find((l) => l.service === 'ElastiCache Redis')!.monthlyUsd;
    expect(redis(performance)).toBeCloseTo(2 * redis(cost), 2);
  });

  it('keeps the foundation to about two dollars and flags an unpriced Redis node type', () => {
    expect(estimateMonthlyCost('foundation', configFor()).totalUsd).toBeLessThan(2.5);
    const odd = estimateMonthlyCost('full', configFor({ env: { SENTINEL_API_REDIS_NODE_TYPE: 'cache.x9.huge' } }));
    expect(odd.lines.some((l) => l.service === 'ElastiCache Redis')).toBe(false);
    expect(odd.excluded[0]).toMatch(/cache\.x9\.huge/);
  });

  it('scales usage lines with the workload and notes a different deploy region', () => {
    const light = estimateMonthlyCost('full', configFor());
    const heavy = estimateMonthlyCost('full', configFor({ env: { SENTINEL_API_AWS_REGION: 'eu-west-1' } }), {
      requestsPerMonth: 100_000_000,
    });
    const dynamo = (e: typeof light) => e.lines.find((l) => l.service === 'DynamoDB' && /writes/.test(l.item))!;
    expect(dynamo(heavy).monthlyUsd).toBeGreaterThan(50 * dynamo(light).monthlyUsd);
    expect(heavy.deployRegion).toBe('eu-west-1');
  });

  it('bills the access log by the requests it logs: every one, the errors only, or none', () => {
    const logs = (accessLog: string) =>
      estimateMonthlyCost('full', configFor({ env: { SENTINEL_API_ACCESS_LOG: accessLog } }), {
        requestsPerMonth: 100_000_000,
      }).lines.find((l) => l.service === 'CloudWatch Logs' && /gateway/.test(l.item))!;
    // 100 M lines of 300 bytes: 30 GB more than the operational logs, $15 at $0.50/GB.
    expect(logs('all').monthlyUsd - logs('off').monthlyUsd).toBeGreaterThan(15);
    expect(logs('all').monthlyUsd - logs('off').monthlyUsd).toBeLessThan(16);
    // The default logs the 2% of non-2xx answers assumed: 0.6 GB.
    expect(logs('errors').monthlyUsd - logs('off').monthlyUsd).toBeCloseTo(0.3, 1);
    expect(logs('errors').item).toContain('access log: errors');
  });

  it("prices the detector at the template's memory size, and its failure alarms", () => {
    const detector = (buildTemplate('foundation').template.Resources as Record<string, any>).AnomalyDetectorFunction;
    const memory = detector.Properties.MemorySize as number;
    const lines = estimateMonthlyCost('foundation', configFor()).lines;
    const lambda = lines.find((l) => l.service === 'Lambda')!;
    expect(lambda.item).toContain(`at ${memory} MB`);
    // 2920 runs of 3 s: GB-seconds scale with the memory the template sets.
    expect(lambda.basis).toContain(`${2920 * 3 * (memory / 1024)} GB-s`);
    const alarms = lines.find((l) => l.service === 'CloudWatch alarms, KMS')!;
    expect(alarms.item).toMatch(/^4 detector failure alarms, 1 key/);
    expect(alarms.monthlyUsd).toBeCloseTo(1.4, 2);
  });
});
