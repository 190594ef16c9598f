// `sentinel blocklist add --throttle` end to end against an in-process dev stack (real gateway,
// store and blocklist refresh): the stored throttle caps the user with 429 `throttled` and its public
// reason while another user is untouched, and `rm` lifts it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/config/resolve';
import { runCli } from '../../../src/cli/run';
import { startDevStack, type DevStack } from '../../../src/dev/dev-stack';
import { eventually } from '../../helpers/gateway';
import { freePort } from '../../helpers/ports';
import { silentSink } from '../../helpers/sinks';

const SECRET = 'blocklist-throttle-test-secret-with-more-than-32-bytes';
const cwd = mkdtempSync(join(tmpdir(), 'sentinel-throttle-'));
let stack: DevStack;

beforeAll(async () => {
  const { config } = resolveConfig({ env: { SENTINEL_API_JWT_SECRET_KEY: SECRET } });
  stack = await startDevStack({
    resolved: config,
    port: await freePort(),
    detectorIntervalSeconds: 3600,
    cwd,
    lines: silentSink(),
  });
}, 30_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await runCli(['blocklist', ...args], { stdout, stderr: new PassThrough(), env: {}, cwd });
  return { code, out };
}

describe('sentinel blocklist add --throttle on the dev stack', () => {
  it('caps the user with 429 throttled and the public reason, leaves others alone, and rm lifts it', async () => {
    const headers = async (user: string) => ({ authorization: `Bearer ${await stack.mint!(user)}` });
    const slow = await headers('batch-7');
    const other = await headers('bystander');
    const call = async (h: Record<string, string>) => {
      const res = await fetch(`${stack.gatewayUrl}/proxy/v1/orders`, { headers: h });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const added = await cli([
      'add',
      'user:batch-7',
      '--throttle',
      '1/m',
      '--ttl',
      '10m',
      '--reason',
      'order surge',
      '--public-reason',
      'Unusual volume',
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ added: { action: 'throttle', limit: { capacity: 1 } } });

    await eventually(async () => (await call(slow)).body.error === 'throttled', 10_000, 100);
    const refused = await call(slow);
    expect(refused).toMatchObject({ status: 429, body: { error: 'throttled', reason: 'Unusual volume' } });
    expect(JSON.stringify(refused.body)).not.toContain('order surge');
    for (let i = 0; i < 5; i++) expect((await call(other)).status).toBe(200);

    const removed = await cli(['rm', 'user:batch-7', '--json']);
    expect(JSON.parse(removed.out)).toEqual({ entity: 'user:batch-7', removed: true, action: 'throttle' });
    // What the user owes under the throttle is counted under the normal policy's larger bucket and
    // faster refill, so the user is served again as soon as the gateway has dropped the throttle.
    await eventually(async () => (await call(slow)).status === 200, 10_000, 100);
  });
});
