// `sentinel image push` as a user runs it (the built binary): the ECR control plane is a loopback
// stand-in reached through AWS_ENDPOINT_URL (DescribeRepositories, GetAuthorizationToken with the
// shapes ECR returns), the repository is a real registry on loopback. The second run of an
// unchanged image uploads nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDigestOf, makeTestBaseLayout, pushLayout } from '../../helpers/base-image';
import { runBuiltCli } from '../../helpers/cli';
import { registryToolsAvailable, startRegistry, type Registry } from '../../helpers/registry';

const arch = process.arch === 'arm64' ? 'arm64' : 'x86_64';

describe.runIf(registryToolsAvailable())('sentinel image push (built binary)', () => {
  let registry: Registry;
  let proxy: Awaited<ReturnType<Registry['counting']>>;
  let layout: string;
  let ecr: Server;
  const targets: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'image-push-cli-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await registry.counting();
    layout = await makeTestBaseLayout();
    pushLayout(layout, `${registry.host}/library/node:test`);
    ecr = createServer((req, res) => {
      const target = String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop()!;
      targets.push(target);
      req.resume();
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (target === 'DescribeRepositories')
        return json({
          repositories: [
            {
              registryId: '123456789012',
              repositoryName: 'sentinelsdkfull-gateway',
              repositoryUri: `${proxy.host}/sentinelsdkfull-gateway`,
              createdAt: 1.7e9,
            },
          ],
        });
      if (target === 'GetAuthorizationToken')
        return json({
          authorizationData: [
            {
              authorizationToken: Buffer.from('AWS:ecr-password-123').toString('base64'),
              expiresAt: Date.now() / 1000 + 43200,
              proxyEndpoint: `http://${proxy.host}`,
            },
          ],
        });
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'UnknownOperationException' }));
    });
    await new Promise<void>((r) => ecr.listen(0, '127.0.0.1', () => r()));
    env = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(ecr.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
      AWS_SECRET_ACCESS_KEY: 'example-secret-access-key-for-tests-only',
      AWS_EC2_METADATA_DISABLED: 'true',
      SENTINEL_API_GATEWAY_BASE_IMAGE: `${registry.host}/library/node@${indexDigestOf(layout)}`,
      SENTINEL_API_TASK_ARCHITECTURE: arch,
    };
  }, 120_000);
  afterAll(async () => {
    ecr?.closeAllConnections();
    await new Promise<void>((r) => (ecr ? ecr.close(() => r()) : r()));
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
    if (layout) rmSync(layout, { recursive: true, force: true });
  });

  const push = () =>
    runBuiltCli(['image', 'push', '--region', 'us-east-1', '--json'], { env, cwd: work, timeoutMs: 60_000 });
  const lines = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('pushes with progress events and prints the image pinned by digest; again, it uploads nothing', async () => {
    const first = await push();
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    const events = lines(first.stdout);
    const result = events.at(-1)!;
    expect(result).toMatchObject({ event: 'result', unchanged: false, repositoryCreated: false });
    expect(result.uri).toMatch(new RegExp(`^${proxy.host}/sentinelsdkfull-gateway@sha256:[0-9a-f]{64}$`));
    const uploads = events.filter((e) => e.event === 'image-upload' && e.done === true);
    expect(uploads.length).toBe(result.uploadedBlobs);
    expect(uploads.every((u) => u.bytes === u.total && typeof u.bytesPerSecond === 'number')).toBe(true);
    expect(targets).toEqual(['DescribeRepositories', 'GetAuthorizationToken']);
    // The ECR password travels only in the Authorization header, never in what the CLI prints.
    expect(first.stdout + first.stderr).not.toContain('ecr-password-123');

    proxy.reset();
    const second = await push();
    expect(second.code).toBe(0);
    expect(lines(second.stdout).at(-1)).toMatchObject({ uri: result.uri, unchanged: true, uploadedBytes: 0 });
    expect(proxy.requests.filter((r) => r.method !== 'HEAD')).toEqual([]);
  }, 120_000);
});
