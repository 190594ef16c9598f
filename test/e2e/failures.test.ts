// Failures through the built CLI, as CI sees them: with --json, every failing command ends stdout
// with one error event; credentials problems read the same and exit 2 in every command; an answer
// that is not AWS's names the call that got it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli, type CliResult } from '../helpers/cli';

const SECRET = 'failures-e2e-secret-with-more-than-thirty-two-bytes';
const home = mkdtempSync(join(tmpdir(), 'sentinel-failures-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** No credentials anywhere: an empty HOME, no AWS variables, no instance metadata lookups. */
const NO_CREDENTIALS = {
  HOME: home,
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
  SENTINEL_API_JWT_SECRET_KEY: SECRET,
};

interface ErrorEvent {
  event: string;
  code: string;
  exitCode: number;
  message: string;
  hint?: string;
  aws?: { operation?: string; service?: string; httpStatus?: number; kind?: string };
  issues?: Array<{ variable: string }>;
}

/** Every stdout line is JSON, and the last is the error event. */
function lastEvent(result: CliResult): ErrorEvent {
  const lines = result.stdout.trim().split('\n');
  const parsed = lines.map((line) => JSON.parse(line) as { event?: string });
  expect(parsed.filter((e) => e.event === 'error')).toHaveLength(1);
  return parsed.at(-1) as ErrorEvent;
}

describe('--json failures end with one error event', () => {
  it.each([
    [['status', '--json']],
    [['teardown', '--yes', '--json']],
    [['deploy', '--yes', '--json']],
    [['plan', '--json']],
  ])('%j without credentials: exit 2, ERR_AWS_CREDENTIALS, the same message and hint', async (args) => {
    const result = await runBuiltCli(args, { cwd: home, env: NO_CREDENTIALS, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(2);
    const event = lastEvent(result);
    expect(event).toMatchObject({ event: 'error', code: 'ERR_AWS_CREDENTIALS', exitCode: 2 });
    expect(event.aws?.kind).toBe('credentials');
    expect(result.stderr).not.toContain('unexpected failure');
  });

  it('credentials messages are identical across commands, and plan also offers --dry-run', async () => {
    const [status, teardown, plan] = await Promise.all(
      [
        ['status', '--json'],
        ['teardown', '--yes', '--json'],
        ['plan', '--json'],
      ].map((args) =>
        runBuiltCli(args, { cwd: home, env: NO_CREDENTIALS, timeoutMs: 60_000 }).then(lastEvent),
      ),
    );
    expect(teardown!.message).toBe(status!.message);
    expect(teardown!.hint).toBe(status!.hint);
    expect(plan!.message).toBe(status!.message);
    expect(plan!.hint).toContain('--dry-run');
    expect(status!.hint).not.toContain('--dry-run');
  });

  it('validate and plan --dry-run with a configuration error: exit 2 and the issues as data', async () => {
    for (const args of [
      ['validate', '--json'],
      ['plan', '--dry-run', '--json'],
    ]) {
      const result = await runBuiltCli(args, {
        cwd: home,
        env: { HOME: home, SENTINEL_API_RATE_LIMIT_CAPACITY: 'lots' },
      });
      expect(result.code, result.stderr).toBe(2);
      const event = lastEvent(result);
      expect(event).toMatchObject({ event: 'error', code: 'ERR_CONFIG_INVALID', exitCode: 2 });
      expect(event.issues!.map((i) => i.variable)).toContain('SENTINEL_API_RATE_LIMIT_CAPACITY');
    }
  });

  it('a usage error with --json ends with an error event too', async () => {
    const result = await runBuiltCli(['status', '--json', '--mode', 'bogus'], { cwd: home });
    expect(result.code).toBe(2);
    expect(lastEvent(result)).toMatchObject({ event: 'error', code: 'ERR_USAGE', exitCode: 2 });
  });
});

describe('an endpoint that is not AWS', () => {
  let server: Server;
  let endpoint = '';
  beforeAll(async () => {
    // A proxy or a misconfigured endpoint override answering 403 with an empty body.
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(403, { 'x-amzn-requestid': 'proxy-req-1' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('status names the operation and the HTTP status instead of "UnknownError"', async () => {
    const result = await runBuiltCli(['status', '--json'], {
      cwd: home,
      env: {
        HOME: home,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret-example',
        AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
      },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(1);
    const event = lastEvent(result);
    expect(event).toMatchObject({
      code: 'ERR_AWS_REQUEST_FAILED',
      aws: { service: 'CloudFormation', operation: 'DescribeStacks', httpStatus: 403 },
    });
    expect(result.stderr).toContain('DescribeStacks');
    expect(result.stderr).not.toMatch(/unexpected failure/);
  });

  it('--debug keeps the stack trace', async () => {
    const result = await runBuiltCli(['status', '--debug'], {
      cwd: home,
      env: {
        HOME: home,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret-example',
        AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
      },
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});
