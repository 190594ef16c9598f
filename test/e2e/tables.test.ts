// Tables fit the terminal: `sentinel config` with a PEM public key keeps every line within the
// width (COLUMNS here, the terminal's own when there is one); --wide and --json keep values whole.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from '../helpers/cli';

const cwd = mkdtempSync(join(tmpdir(), 'sentinel-tables-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
  type: 'spki',
  format: 'pem',
}) as string;
const env = {
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
  SENTINEL_API_JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n'),
};

describe('sentinel config with a PEM public key', () => {
  it('fits every line in COLUMNS, cutting the key with an ellipsis', async () => {
    const result = await runBuiltCli(['config'], { cwd, env: { ...env, COLUMNS: '100' } });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    const keyLine = lines.find((l) => l.startsWith('SENTINEL_API_JWT_PUBLIC_KEY'))!;
    expect(keyLine).toContain('…');
  });

  it('--wide shows the key whole, and --json always does', async () => {
    const body = pem.split('\n')[1]!;
    const wide = await runBuiltCli(['config', '--wide'], { cwd, env: { ...env, COLUMNS: '100' } });
    expect(wide.stdout).toContain(body);
    const json = await runBuiltCli(['config', '--json'], { cwd, env: { ...env, COLUMNS: '100' } });
    const settings = (JSON.parse(json.stdout) as { settings: Array<{ variable: string; value?: string }> })
      .settings;
    expect(settings.find((s) => s.variable === 'SENTINEL_API_JWT_PUBLIC_KEY')?.value).toContain(body);
  });

  it('shows no JWT algorithm when there is no shared secret for it to apply to', async () => {
    const json = await runBuiltCli(['config', '--json'], { cwd, env });
    const settings = (JSON.parse(json.stdout) as { settings: Array<{ variable: string; value?: string }> })
      .settings;
    expect(settings.find((s) => s.variable === 'SENTINEL_API_JWT_ALGORITHM')?.value).toBeUndefined();
    const withSecret = await runBuiltCli(['config', '--json'], {
      cwd,
      env: { ...env, SENTINEL_API_JWT_SECRET_KEY: 'a-secret-with-more-than-thirty-two-bytes-in-it' },
    });
    const secretSettings = (
      JSON.parse(withSecret.stdout) as { settings: Array<{ variable: string; value?: string }> }
    ).settings;
    expect(secretSettings.find((s) => s.variable === 'SENTINEL_API_JWT_ALGORITHM')?.value).toBe('HS256');
  });
});
