// `sentinel validate` run in-process as the CLI runs it: exit 0 clean, 1 with template issues,
// 2 on configuration or usage errors; --json parseable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run';
import { JWT_SECRET } from '../../helpers/template-fixtures';

const cwd = mkdtempSync(join(tmpdir(), 'sentinel-validate-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const BASE = {
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
  SENTINEL_API_JWT_SECRET_KEY: JWT_SECRET,
};

async function validate(args: string[], env: Record<string, string> = BASE) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(['validate', ...args], { stdout, stderr, env, cwd, stdinIsTTY: false });
  return { code, out, err };
}

describe('sentinel validate', () => {
  it('exits 0 and reports both stacks valid, never printing the secret', async () => {
    const result = await validate(['--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { valid: boolean; stacks: Array<{ mode: string; valid: boolean }> };
    expect(report.valid).toBe(true);
    expect(report.stacks.map((s) => s.mode)).toEqual(['foundation', 'full']);
    expect(result.out + result.err).not.toContain(JWT_SECRET);
  });

  it('checks one mode in text form, with settings from --env-file', async () => {
    const envFile = join(cwd, 'prod.env');
    writeFileSync(envFile, Object.entries(BASE).map(([k, v]) => `${k}=${v}`).join('\n'));
    const result = await validate(['--mode', 'full', '--env-file', envFile], {});
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/full: valid \(\d+ resources/);
    expect(result.err).not.toMatch(/foundation/);
  });

  it('exits 1 with the issue when AWS would reject the sizing', async () => {
    const result = await validate(['--mode', 'full', '--json'], {
      ...BASE,
      SENTINEL_API_FARGATE_CPU: '256',
      SENTINEL_API_FARGATE_MEMORY_MIB: '4096',
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as { stacks: Array<{ issues: Array<{ rule: string; path: string }> }> };
    expect(report.stacks[0]!.issues).toEqual([
      expect.objectContaining({ rule: 'parameter-value', path: 'Parameters.FargateMemoryMib' }),
    ]);
  });

  it('exits 2 on a configuration error or a bad --mode', async () => {
    const missing = await validate([], { SENTINEL_API_JWT_SECRET_KEY: JWT_SECRET });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('SENTINEL_API_UPSTREAM_BASE_URL');
    expect((await validate(['--mode', 'everything'])).code).toBe(2);
  });
});
