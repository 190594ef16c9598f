// Settings as a new user's shell has them, through the built CLI: unrelated legacy variables never
// break a command, a region or URL slip gets one actionable problem, and an upstream the gateway in
// AWS cannot reach is called out by plan and deploy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from '../helpers/cli';

const SECRET = 'config-input-secret-with-more-than-thirty-two-bytes';
const cwd = mkdtempSync(join(tmpdir(), 'sentinel-config-input-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const BASE = {
  HOME: cwd,
  SENTINEL_API_JWT_SECRET_KEY: SECRET,
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
};

interface Issue {
  variable: string;
  problem: string;
  hint: string;
}

async function config(env: Record<string, string>) {
  const result = await runBuiltCli(['config', '--json'], { cwd, env });
  return { code: result.code, ...(JSON.parse(result.stdout) as { issues: Issue[]; warnings: Issue[] }) };
}

describe('legacy unprefixed names', () => {
  it('a value that does not parse is ignored with one warning naming it, never an error', async () => {
    const result = await config({ ...BASE, LOG_LEVEL: 'trace', AWS_REGION: 'moon-1' });
    expect(result.code).toBe(0);
    expect(result.issues).toEqual([]);
    expect(result.warnings.filter((w) => w.variable === 'LOG_LEVEL')).toHaveLength(1);
    expect(result.warnings.filter((w) => w.variable === 'AWS_REGION')).toHaveLength(1);
    const plan = await runBuiltCli(['plan', '--dry-run', '--json'], {
      cwd,
      env: { ...BASE, LOG_LEVEL: 'trace' },
    });
    expect(plan.code, plan.stderr).toBe(0);
    const last = JSON.parse(plan.stdout.trim().split('\n').at(-1)!) as { event: string; warnings: Issue[] };
    expect(last.event).toBe('result');
    expect(last.warnings.map((w) => w.variable)).toContain('LOG_LEVEL');
  });

  it('a legacy value that parses is still used', async () => {
    const result = await runBuiltCli(['config', '--json'], { cwd, env: { ...BASE, LOG_LEVEL: 'debug' } });
    const settings = (JSON.parse(result.stdout) as { settings: Array<{ variable: string; value: string }> })
      .settings;
    expect(settings.find((s) => s.variable === 'SENTINEL_API_LOG_LEVEL')?.value).toBe('debug');
  });

  it('the same bad value under the prefixed name is an error', async () => {
    const result = await config({ ...BASE, SENTINEL_API_LOG_LEVEL: 'trace' });
    expect(result.code).toBe(2);
    expect(result.issues.map((i) => i.variable)).toEqual(['SENTINEL_API_LOG_LEVEL']);
  });
});

describe('validation', () => {
  it('an unknown region is an error in plan, with the closest region as the suggestion', async () => {
    const result = await runBuiltCli(['plan', '--dry-run', '--json'], {
      cwd,
      env: { ...BASE, SENTINEL_API_AWS_REGION: 'useast1' },
    });
    expect(result.code).toBe(2);
    const event = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { issues: Issue[] };
    expect(event.issues).toHaveLength(1);
    expect(event.issues[0]!.variable).toBe('SENTINEL_API_AWS_REGION');
    expect(event.issues[0]!.hint).toContain('us-east-1');
  });

  it('a URL without a scheme gets one problem, which suggests https://', async () => {
    for (const name of ['SENTINEL_API_UPSTREAM_BASE_URL', 'UPSTREAM_BASE_URL']) {
      const { SENTINEL_API_UPSTREAM_BASE_URL: _omitted, ...rest } = BASE;
      const result = await config({ ...rest, [name]: 'api.example.com' });
      expect(result.code).toBe(2);
      const about = [...result.issues, ...result.warnings].filter((i) =>
        /UPSTREAM_BASE_URL$/.test(i.variable),
      );
      expect(about, name).toHaveLength(1);
      expect(about[0]!.hint).toContain('https://api.example.com');
    }
  });

  it.each([
    ['http://127.0.0.1:3000', true],
    ['http://10.0.4.12:8080', true],
    ['https://api.example.com', false],
  ])('plan --dry-run with upstream %s warns about reachability from AWS: %s', async (upstream, warned) => {
    const result = await runBuiltCli(['plan', '--dry-run', '--json'], {
      cwd,
      env: { ...BASE, SENTINEL_API_UPSTREAM_BASE_URL: upstream },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(/warning: SENTINEL_API_UPSTREAM_BASE_URL/.test(result.stderr)).toBe(warned);
  });

  it("init's examples use a public upstream", async () => {
    const help = await runBuiltCli(['init', '--help'], { cwd });
    expect(help.stdout).toMatch(/--upstream https:\/\//);
    expect(help.stdout).not.toMatch(/localhost|127\.0\.0\.1/);
  });
});
