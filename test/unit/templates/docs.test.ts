// docs/stacks.md stays true: its cost figures come from estimateMonthlyCost, and it
// documents every validation rule. When a price, preset or rule changes, this names what to update.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { estimateMonthlyCost, TEMPLATE_RULES } from '../../../src/templates';
import { PRICE_DATE, PRICE_REGION } from '../../../src/templates/prices';
import { configFor } from '../../helpers/template-fixtures';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/stacks.md', import.meta.url)), 'utf8');

describe('docs/stacks.md', () => {
  it('is the stacks page', () => {
    expect(doc).toMatch(/^# The AWS stacks\n/);
  });

  it('states the price date and region', () => {
    expect(doc).toContain(PRICE_DATE);
    expect(doc).toContain(PRICE_REGION);
  });

  it('shows the full-stack totals of each preset, to the dollar', () => {
    for (const preset of ['cost', 'performance'] as const) {
      const total = estimateMonthlyCost('full', configFor({ preset })).totalUsd;
      expect(doc, `${preset} total`).toContain(`about $${Math.round(total)}`);
    }
    const foundation = estimateMonthlyCost('foundation', configFor()).totalUsd;
    expect(doc).toContain(`about $${foundation.toFixed(2)}`);
  });

  it('shows the fixed lines of each preset to the cent', () => {
    for (const preset of ['cost', 'performance'] as const) {
      for (const line of estimateMonthlyCost('full', configFor({ preset })).lines) {
        if (['ECS Fargate', 'Application Load Balancer', 'ElastiCache Redis', 'Public IPv4'].includes(line.service)) {
          expect(doc, `${preset} ${line.service}`).toContain(`$${line.monthlyUsd.toFixed(2)}`);
        }
      }
    }
  });

  it('documents every validation rule', () => {
    for (const rule of Object.keys(TEMPLATE_RULES)) expect(doc, rule).toContain(`\`${rule}\``);
  });
});
