// Secrets inside URLs never reach the terminal: `config` (text and JSON) and `plan --dry-run --json`
// with a password in the Redis URL, credentials in the upstream URL and a token in the JWKS URL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../../core/shared/redact-secrets';
import { runBuiltCli } from '../../helpers/cli';

const SECRETS = ['hunter2', 'up-pass', 'jwks-tok'];
const ENV = {
  SENTINEL_API_REDIS_URL: 'redis://:hunter2@cache.internal:6379',
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://svc:up-pass@api.example.com',
  SENTINEL_API_JWT_JWKS_URL: 'https://idp.example.com/jwks.json?token=jwks-tok',
  AWS_REGION: 'us-east-1',
};

describe('redaction of secrets in URLs', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sentinel-redact-'));

  it.each([
    ['config', ['config']],
    ['config --json', ['config', '--json']],
    ['plan --dry-run --json', ['plan', '--dry-run', '--json']],
  ])('%s prints no secret', async (_name, args) => {
    const run = await runBuiltCli(args, { cwd, env: ENV });
    const output = run.stdout + run.stderr;
    // The command did print a URL that had a secret, redacted: the check is not vacuous.
    expect(output).toContain(`://${REDACTED}@`);
    for (const secret of SECRETS) expect(output).not.toContain(secret);
  });
});
