// The built CLI binary, run in a temp folder as a user would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from '../helpers/cli';

const SECRET = 'e2e-secret-with-more-than-thirty-two-bytes-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folderWith(envFile: string): string {
  const folder = mkdtempSync(join(dir, 'p-'));
  writeFileSync(join(folder, '.env'), envFile);
  return folder;
}

describe('sentinel (built binary)', () => {
  it('prints help with every registered command and exits 0', async () => {
    const result = await runBuiltCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: sentinel');
    expect(result.stdout).toMatch(/config \[options\]/);
    expect(result.stdout).toMatch(/\bjwt\b/);
  });

  it('exits 2 on an unknown option or command', async () => {
    expect((await runBuiltCli(['config', '--bogus'])).code).toBe(2);
    expect((await runBuiltCli(['no-such-command'])).code).toBe(2);
  });

  it('loads no AWS SDK, @aws-cdk or yaml module for help: heavy modules load only when a command runs', async () => {
    // A preload that lists every CommonJS module in the process as it exits. The AWS SDK, @aws-cdk
    // and yaml are CommonJS, so whatever imports them (statically or not) puts them in require.cache.
    const recorder = join(dir, 'record-modules.cjs');
    writeFileSync(
      recorder,
      "process.on('exit', () => process.stderr.write('loaded-modules ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n",
    );
    for (const args of [['--help'], ['plan', '--help']]) {
      const result = await runBuiltCli(args, {
        env: { NODE_OPTIONS: `--require ${JSON.stringify(recorder)}` },
      });
      expect(result.code).toBe(0);
      const line = result.stderr.split('\n').find((l) => l.startsWith('loaded-modules '));
      expect(line, result.stderr).toBeDefined();
      const loaded = JSON.parse(line!.slice('loaded-modules '.length)) as string[];
      // The recorder saw the CLI's own dependencies, so an empty list cannot pass by accident.
      expect(loaded.some((path) => /[\\/]node_modules[\\/]commander[\\/]/.test(path))).toBe(true);
      expect(
        loaded.filter((path) => /[\\/]node_modules[\\/](@aws-sdk|@aws-cdk|@smithy|yaml)[\\/]/.test(path)),
      ).toEqual([]);
    }
  });
});

describe('sentinel config', () => {
  it('shows values with their source, flags > env > .env > preset, and redacts secrets', async () => {
    const cwd = folderWith(
      `SENTINEL_API_UPSTREAM_BASE_URL=https://api.example.com\nSENTINEL_API_JWT_SECRET_KEY=${SECRET}\nSENTINEL_API_RATE_LIMIT_CAPACITY=7\n`,
    );
    const result = await runBuiltCli(['config', '--json', '--preset', 'performance'], {
      cwd,
      env: { SENTINEL_API_RATE_LIMIT_CAPACITY: '9' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(SECRET);
    const report = JSON.parse(result.stdout) as {
      preset: string;
      settings: Array<{ variable: string; value?: string; source: string }>;
      issues: unknown[];
    };
    const setting = (name: string) => report.settings.find((s) => s.variable === name);
    expect(report.preset).toBe('performance');
    expect(report.issues).toEqual([]);
    expect(setting('SENTINEL_API_OPTIMIZE_FOR')).toMatchObject({ value: 'performance', source: 'flag' });
    expect(setting('SENTINEL_API_RATE_LIMIT_CAPACITY')).toMatchObject({ value: '9', source: 'environment' });
    expect(setting('SENTINEL_API_UPSTREAM_BASE_URL')).toMatchObject({ source: '.env' });
    expect(setting('SENTINEL_API_JWT_SECRET_KEY')).toMatchObject({ value: '********' });
    expect(setting('SENTINEL_API_FARGATE_CPU')).toMatchObject({
      value: '1024',
      source: 'preset performance',
    });
  });

  it('prints every problem of a bad configuration in one run and exits 2', async () => {
    const cwd = folderWith(
      'SENTINEL_API_OPTIMIZE_FOR=fast\nSENTINEL_API_RATE_LIMIT_CAPACITY=lots\nSENTINEL_API_JWT_SECRET_KEY=short\n',
    );
    const result = await runBuiltCli(['config'], { cwd, env: { SENTINEL_API_PORT: '99999' } });
    expect(result.code).toBe(2);
    for (const name of [
      'SENTINEL_API_OPTIMIZE_FOR',
      'SENTINEL_API_RATE_LIMIT_CAPACITY',
      'SENTINEL_API_PORT',
      'SENTINEL_API_UPSTREAM_BASE_URL',
      'SENTINEL_API_JWT_SECRET_KEY',
    ]) {
      expect(result.stderr).toContain(name);
    }
    expect(result.stderr).toContain('5 problems');
    expect(result.stderr + result.stdout).not.toMatch(/=short|"short"/);
  });
});

describe('sentinel jwt mint', () => {
  it('prints only a verifiable token on stdout', async () => {
    const cwd = folderWith(
      `SENTINEL_API_JWT_SECRET_KEY=${SECRET}\nSENTINEL_API_JWT_ISSUER=https://issuer.test\n`,
    );
    const result = await runBuiltCli(['jwt', 'mint', '--sub', 'alice', '--ttl', '15m', '--claim', 'tier=2'], {
      cwd,
    });
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(result.stdout).toBe(`${token}\n`);
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      issuer: 'https://issuer.test',
    });
    expect(payload).toMatchObject({ sub: 'alice', tier: 2 });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('reads --env-file and needs no upstream', async () => {
    const cwd = folderWith('');
    writeFileSync(join(cwd, 'other.env'), `SENTINEL_API_JWT_SECRET_KEY=${SECRET}\n`);
    const result = await runBuiltCli(['jwt', 'mint', '--env-file', 'other.env'], { cwd });
    expect(result.code).toBe(0);
    const { payload } = await jwtVerify(result.stdout.trim(), new TextEncoder().encode(SECRET));
    expect(payload.sub).toBe('demo-user');
  });

  it('exits 2 with a hint when there is no key, or the secret is too short', async () => {
    const none = await runBuiltCli(['jwt', 'mint'], { cwd: folderWith('') });
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('SENTINEL_API_JWT_SECRET_KEY');
    expect(none.stderr).not.toContain('    at ');
    const short = await runBuiltCli(['jwt', 'mint', '--alg', 'HS512'], {
      cwd: folderWith(`SENTINEL_API_JWT_SECRET_KEY=${SECRET}\n`),
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('RFC 7518');
    expect(short.stderr).not.toContain(SECRET);
  });

  it('prints a stack trace only with --debug', async () => {
    const result = await runBuiltCli(['jwt', 'mint', '--debug', '--private-key', 'missing.pem'], {
      cwd: folderWith(''),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing.pem');
    expect(result.stderr).toContain('    at ');
  });
});
