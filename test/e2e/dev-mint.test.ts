// `TOKEN=$(npx sentinel-api jwt mint)` right after `npm start`: with no key configured, the running
// dev stack mints (its generated secret never leaves it), and an algorithm the gateway would refuse
// is named before the token is used.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from '../helpers/cli';
import { startDevProcess, type DevProcess } from '../helpers/dev-process';
import { freePort } from '../helpers/ports';

const cwd = mkdtempSync(join(tmpdir(), 'sentinel-dev-mint-'));
let dev: DevProcess;

beforeAll(async () => {
  dev = await startDevProcess(cwd, ['--port', String(await freePort()), '--detector-interval', '1h']);
}, 30_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

async function verify(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${dev.state.gatewayUrl}/auth/verify`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('jwt mint against a running dev stack', () => {
  it('mints with the dev stack when no key is configured, saying so on stderr only', async () => {
    const result = await runBuiltCli(['jwt', 'mint', '--sub', 'alice', '--claim', 'tier=2'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const token = result.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(result.stderr).toContain(dev.state.gatewayUrl);
    const verified = await verify(token);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ authenticated: true, userId: 'alice' });
  });

  it('names algorithm_not_allowed up front for an algorithm the dev gateway refuses', async () => {
    const result = await runBuiltCli(['jwt', 'mint', '--alg', 'HS512'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('algorithm_not_allowed');
    expect((await verify(result.stdout.trim())).status).toBe(401);
    // The accepted algorithm gets no such warning.
    const accepted = await runBuiltCli(['jwt', 'mint', '--alg', 'HS256'], { cwd });
    expect(accepted.stderr).not.toContain('algorithm_not_allowed');
  });

  it('with no dev stack and no key, exits 2 and prints no token', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'sentinel-no-dev-'));
    try {
      const result = await runBuiltCli(['jwt', 'mint'], { cwd: elsewhere });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
