// The built CLI binary for the deploy commands' offline paths: `plan --dry-run` in human and NDJSON
// form, proof that a dry run sends nothing to AWS, and configuration errors (exit 2, all at once).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from '../helpers/cli';

const SECRET = 'e2e-deploy-secret-with-more-than-thirty-two-bytes-42';
const dir = mkdtempSync(join(tmpdir(), 'sentinel-deploy-cli-'));

function project(envFile: string): string {
  const folder = mkdtempSync(join(dir, 'p-'));
  writeFileSync(join(folder, '.env'), envFile);
  return folder;
}

const GOOD_ENV = [
  'SENTINEL_API_UPSTREAM_BASE_URL=https://api.example.com',
  `SENTINEL_API_JWT_SECRET_KEY=${SECRET}`,
  'SENTINEL_API_AWS_REGION=eu-west-1',
  '',
].join('\n');

/** A stand-in for every AWS endpoint that records each request it gets. */
const requests: string[] = [];
const server = createServer((req: IncomingMessage, res) => {
  requests.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''}`);
  req.resume();
  // A non-retryable refusal, so a command that does call AWS fails at once.
  res.writeHead(403, { 'content-type': 'text/xml' });
  res.end(
    '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>recorder</Message></Error></ErrorResponse>',
  );
});
let awsEnv: Record<string, string>;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  awsEnv = {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'example-secret-access-key-for-e2e-only',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  };
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sentinel plan --dry-run (built binary)', () => {
  it('prints settings with sources, redacted parameters, resources, cost and the validation result', async () => {
    const result = await runBuiltCli(['plan', '--dry-run'], { cwd: project(GOOD_ENV) });
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/full stack SentinelSdkFull in eu-west-1 \(preset cost\), dry run/);
    expect(result.stdout).toMatch(/SENTINEL_API_JWT_SECRET_KEY\s+\*{8}\s+\.env/);
    expect(result.stdout).toMatch(/PARAMETER\s+VALUE/);
    expect(result.stdout).toContain('AWS::ECS::Service');
    expect(result.stdout).toMatch(/Estimated total: \$\d+\.\d\d\/month/);
    expect(result.stderr).toContain('offline validation passed');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('--json: every stdout line parses, the last is the result, and no request reaches AWS', async () => {
    requests.length = 0;
    const result = await runBuiltCli(['plan', '--dry-run', '--json', '--mode', 'foundation'], {
      cwd: project(GOOD_ENV),
      env: awsEnv,
    });
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({
      event: 'result',
      mode: 'foundation',
      dryRun: true,
      validation: { ok: true },
      exitCode: 0,
    });
    expect((last.cost as { totalUsd: number }).totalUsd).toBeGreaterThan(0);
    expect(result.stdout).not.toContain(SECRET);
    expect(requests).toEqual([]);

    // Control: the same environment does reach the recorder when a command needs AWS.
    const status = await runBuiltCli(['status', '--mode', 'foundation'], {
      cwd: project(GOOD_ENV),
      env: awsEnv,
    });
    expect(status.code).not.toBe(0);
    expect(requests.length).toBeGreaterThan(0);
  });

  it('needs no credentials at all', async () => {
    const result = await runBuiltCli(['plan', '--dry-run', '--json'], {
      cwd: project(GOOD_ENV),
      env: {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      },
    });
    expect(result.code).toBe(0);
  });

  it('a bad configuration exits 2 listing every problem, also as JSON on stdout', async () => {
    const bad = [
      'SENTINEL_API_OPTIMIZE_FOR=fastest',
      'SENTINEL_API_JWT_SECRET_KEY=short',
      'SENTINEL_API_UPSTREAM_BASE_URL=ftp://x',
      '',
    ].join('\n');
    const result = await runBuiltCli(['plan', '--dry-run', '--json'], { cwd: project(bad) });
    expect(result.code).toBe(2);
    for (const variable of [
      'SENTINEL_API_OPTIMIZE_FOR',
      'SENTINEL_API_JWT_SECRET_KEY',
      'SENTINEL_API_UPSTREAM_BASE_URL',
    ]) {
      expect(result.stderr).toContain(variable);
    }
    const error = JSON.parse(result.stdout.trim()) as { event: string; code: string; issues: unknown[] };
    expect(error).toMatchObject({ event: 'error', code: 'ERR_CONFIG_INVALID' });
    expect(error.issues.length).toBeGreaterThanOrEqual(3);
    expect(result.stdout + result.stderr).not.toContain('short"');
  });
});

describe('sentinel deploy / teardown (built binary, error cases)', () => {
  it('deploy with a bad configuration exits 2 before touching AWS', async () => {
    requests.length = 0;
    const result = await runBuiltCli(['deploy', '--yes'], {
      cwd: project('SENTINEL_API_AWS_REGION=eu-west-1\n'),
      env: awsEnv,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SENTINEL_API_UPSTREAM_BASE_URL');
    expect(requests).toEqual([]);
  });

  it('an unknown --mode is a usage error (exit 2)', async () => {
    const result = await runBuiltCli(['deploy', '--mode', 'everything'], { cwd: project(GOOD_ENV) });
    expect(result.code).toBe(2);
  });

  it('documents exit codes and examples in help', async () => {
    for (const command of ['deploy', 'plan', 'teardown', 'status']) {
      const result = await runBuiltCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
      expect(result.stdout).toContain('Exit codes:');
    }
  });
});
