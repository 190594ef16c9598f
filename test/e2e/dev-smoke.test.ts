// Issue 7 end to end with the built CLI: `sentinel dev` on free ports, the curl commands it prints,
// `sentinel smoke` and `smoke anomaly` against it (through the 403), `blocklist`, and clean stops.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from '../helpers/cli';
import { startDevProcess, type DevProcess } from '../helpers/dev-process';
import { eventually } from '../helpers/gateway';
import { freePort } from '../helpers/ports';

const cwd = mkdtempSync(join(tmpdir(), 'sentinel-dev-'));
let dev: DevProcess;
let port: number;

beforeAll(async () => {
  port = await freePort();
  dev = await startDevProcess(cwd, ['--port', String(port), '--detector-interval', '1h']);
}, 30_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

describe('sentinel dev', () => {
  it('prints a working token and curl commands for /auth/verify and /proxy', async () => {
    const banner = dev.stderr();
    expect(banner).toContain(`http://127.0.0.1:${port}`);
    const token = /export TOKEN=(\S+)/.exec(banner)?.[1];
    expect(token).toBeDefined();
    const curls = [...banner.matchAll(/curl -s "?(\S+?)"? -H "Authorization: Bearer \$TOKEN"/g)].map(
      (m) => m[1]!,
    );
    expect(curls).toHaveLength(2);
    const verify = await fetch(curls[0]!, { headers: { authorization: `Bearer ${token}` } });
    expect(await verify.json()).toMatchObject({ authenticated: true, userId: 'demo-user' });
    const orders = await fetch(curls[1]!, { headers: { authorization: `Bearer ${token}` } });
    expect(orders.status).toBe(200);
    expect(((await orders.json()) as { orders: unknown[] }).orders).toHaveLength(5);
    // The generated secret is never printed or written.
    expect(dev.state.secretSource).toBe('generated');
    expect(JSON.stringify(dev.state)).not.toMatch(/jwtSecret|secretKey/i);
  });

  it('writes JSON request log lines when its output is piped, successes included', async () => {
    const token = /export TOKEN=(\S+)/.exec(dev.stderr())![1]!;
    await fetch(`http://127.0.0.1:${port}/proxy/v1/profile`);
    await fetch(`http://127.0.0.1:${port}/`);
    await fetch(`http://127.0.0.1:${port}/proxy/v1/orders`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const lineFor = (path: string) =>
      dev
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.type === 'request' && l.path === path);
    // Both lines: the first test's request already logged a /v1/orders line, so waiting for that
    // path alone can pass before this batch is written (the writer batches for up to 100 ms).
    // The path is the one the client called, /proxy included.
    await eventually(
      () => lineFor('/proxy/v1/profile') !== undefined && lineFor('/proxy/v1/orders') !== undefined,
    );
    expect(lineFor('/proxy/v1/profile')).toMatchObject({
      status: 401,
      decision: 'unauthenticated',
      method: 'GET',
    });
    // The gateway's default logs errors only; sentinel dev logs every request (its terminal shows them).
    expect(lineFor('/proxy/v1/orders')).toMatchObject({
      status: 200,
      decision: 'allowed',
      userId: 'demo-user',
    });
    expect(lineFor('/')).toMatchObject({ status: 404, decision: 'not_found' });
  });

  it('reports a port in use with the port and how to choose another', async () => {
    const second = await runBuiltCli(['dev', '--port', String(port)], {
      cwd: mkdtempSync(join(cwd, 'other-')),
    });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`Port ${port} is already in use`);
    expect(second.stderr).toContain('--port');
  });

  it('refuses bad settings before starting anything', async () => {
    const bad = await runBuiltCli(['dev'], {
      cwd: mkdtempSync(join(cwd, 'bad-')),
      env: { SENTINEL_API_RATE_LIMIT_CAPACITY: 'lots' },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SENTINEL_API_RATE_LIMIT_CAPACITY');
  });
});

describe('sentinel smoke against the dev stack', () => {
  it('passes every basic check, including the drained bucket', async () => {
    // A run started near the end of a 15-minute bucket first waits for the next one.
    const result = await runBuiltCli(['smoke', '--rate-limit', '--json'], { cwd, timeoutMs: 150_000 });
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
    };
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'health',
      'ready',
      'no token is refused',
      'token verifies',
      'proxied call',
      'rate-limit headers',
      'bucket drains to 429',
      'test traffic removed',
    ]);
    expect(result.code).toBe(0);
  }, 180_000);

  it('smoke anomaly: blocks the burst user and the storm IP, sees both refused, cleans up', async () => {
    const result = await runBuiltCli(['smoke', 'anomaly', '--json'], { cwd, timeoutMs: 120_000 });
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
      report: {
        user: string;
        ratio: number;
        enforcedAfterMs: number;
        cleanedUp: boolean;
        storm: { ip: string; sent: number; signal: string; action: string; enforcedAfterMs: number };
      };
    };
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toContain('gateway enforces it');
    expect(report.checks.at(-1)!.name).toBe('gateway enforces the IP block');
    const budgetMs = (dev.state.blocklistRefreshSeconds * 2 + 5) * 1000;
    expect(report.report.ratio).toBeGreaterThanOrEqual(8);
    expect(report.report.enforcedAfterMs).toBeLessThanOrEqual(budgetMs);
    // The storm came from this machine, which sentinel dev sees on the loopback interface.
    expect(report.report.storm).toMatchObject({ sent: 200, signal: 'auth-storm', action: 'block' });
    expect(['127.0.0.1', '::1']).toContain(report.report.storm.ip);
    expect(report.report.storm.enforcedAfterMs).toBeLessThanOrEqual(budgetMs);
    expect(report.report.cleanedUp).toBe(true);
    expect(result.code).toBe(0);
    const after = JSON.parse((await runBuiltCli(['blocklist', 'ls', '--json'], { cwd })).stdout) as {
      blocks: Array<{ entity: string }>;
    };
    expect(after.blocks.map((b) => b.entity)).not.toContain(`user:${report.report.user}`);
    expect(after.blocks.map((b) => b.entity)).not.toContain(`ip:${report.report.storm.ip}`);
    // The run ends once the gateway lets this machine through again.
    const token = /export TOKEN=(\S+)/.exec(dev.stderr())![1]!;
    const res = await fetch(`http://127.0.0.1:${port}/proxy/v1/orders`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  }, 150_000);

  it('blocklist add makes the gateway refuse the user with 403, its reason kept private; rm lifts it', async () => {
    const token = /export TOKEN=(\S+)/.exec(dev.stderr())![1]!;
    const call = () =>
      fetch(`http://127.0.0.1:${port}/proxy/v1/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(
      (
        await runBuiltCli(['blocklist', 'add', 'user:demo-user', '--ttl', '10m', '--reason', 'e2e block'], {
          cwd,
        })
      ).code,
    ).toBe(0);
    let res = await call();
    for (let i = 0; i < 60 && res.status !== 403; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await call();
    }
    expect(res.status).toBe(403);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'blocked' });
    expect(body.reason).toBeUndefined();
    expect((await runBuiltCli(['blocklist', 'rm', 'user:demo-user'], { cwd })).code).toBe(0);
    for (let i = 0; i < 60 && res.status === 403; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await call();
    }
    expect(res.status).toBe(200);
  });
});

describe('stopping', () => {
  it('Ctrl-C stops everything, exits 0 and removes the state file', async () => {
    const code = await dev.stop();
    expect(code).toBe(0);
    expect(existsSync(join(cwd, '.sentinel', 'dev.json'))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    const none = await runBuiltCli(['smoke'], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('sentinel-api dev');
  });
});
