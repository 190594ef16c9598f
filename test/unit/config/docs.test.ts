// The configuration table in docs/configuration.md and .env.example are derived from the schema;
// this fails when they drift.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_TABLE_PAGE,
  renderConfigTable,
  renderEnvExample,
  withConfigTable,
} from '../../../core/config/docs';
import { envName } from '../../../core/config/knob';
import { CONFIG_KEYS, knobFor } from '../../../core/config/schema';

const file = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../${name}`, import.meta.url)), 'utf8');

describe('generated configuration docs', () => {
  it('the table in docs/configuration.md is current (run `npm run docs` to update)', () => {
    const page = file(CONFIG_TABLE_PAGE);
    expect(page).toContain(renderConfigTable());
    expect(withConfigTable(page)).toBe(page);
  });

  it('.env.example is current (run `npm run docs` to update)', () => {
    expect(file('.env.example')).toBe(renderEnvExample());
  });

  it('lists every knob in the table and every user-set knob in .env.example, never a secret value', () => {
    const table = renderConfigTable();
    for (const key of CONFIG_KEYS) expect(table).toContain(`\`${envName(key)}\``);
    const example = renderEnvExample();
    for (const key of CONFIG_KEYS.filter((k) => !knobFor(k).wiredByStack))
      expect(example).toContain(`${envName(key)}=`);
    expect(example).toMatch(/^SENTINEL_API_UPSTREAM_BASE_URL=/m);
    expect(example).toMatch(/^# SENTINEL_API_JWT_SECRET_KEY=$/m);
  });
});
