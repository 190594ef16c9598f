// The gateway image built in Node from a real registry on loopback, checked with independent tools:
// the built CLI writes an OCI layout from a base pushed by skopeo; skopeo inspects it, umoci unpacks
// it, and the unpacked root filesystem's own node runs the unpacked /app/server.mjs with the config's
// Env, WorkingDir, User and Cmd until /health answers 200.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../../runtime/node-flags';
import { makeTestBaseLayout, pushLayout, indexDigestOf, TEST_NODE_PATH } from '../../helpers/base-image';
import { runBuiltCli } from '../../helpers/cli';
import { eventually, TEST_SECRET } from '../../helpers/gateway';
import { freePort } from '../../helpers/ports';
import { registryToolsAvailable, startRegistry, type Registry } from '../../helpers/registry';

const arch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const platformArch = process.arch === 'arm64' ? 'arm64' : 'amd64';

interface InspectedConfig {
  architecture: string;
  os: string;
  config: {
    Env: string[];
    Cmd: string[];
    WorkingDir: string;
    User: string;
    ExposedPorts: object;
    StopSignal: string;
    Entrypoint?: unknown;
  };
  rootfs: { diff_ids: string[] };
  history: Array<{ created_by?: string }>;
}

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.runIf(registryToolsAvailable())('sentinel image build --oci-layout', () => {
  let registry: Registry;
  let baseLayout: string;
  let base: string;
  const work = mkdtempSync(join(tmpdir(), 'image-build-'));

  beforeAll(async () => {
    registry = await startRegistry();
    baseLayout = await makeTestBaseLayout();
    pushLayout(baseLayout, `${registry.host}/library/node:test`);
    base = `${registry.host}/library/node@${indexDigestOf(baseLayout)}`;
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
    if (baseLayout) rmSync(baseLayout, { recursive: true, force: true });
  });

  const build = (dir: string, extra: Record<string, string> = {}) =>
    runBuiltCli(['image', 'build', '--oci-layout', dir, '--json'], {
      env: { SENTINEL_API_GATEWAY_BASE_IMAGE: base, SENTINEL_API_TASK_ARCHITECTURE: arch, ...extra },
      cwd: work,
      timeoutMs: 60_000,
    });

  it('writes a layout skopeo accepts, whose unpacked rootfs serves /health as the config says', async () => {
    const layout = join(work, 'layout');
    const run = await build(layout);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      digest: string;
      tag: string;
      platform: string;
      base: { reference: string; digest: string; manifestDigest: string };
      layer: { digest: string; diffId: string };
    };
    expect(result.platform).toBe(`linux/${platformArch}`);
    expect(result.base.digest).toBe(indexDigestOf(baseLayout));
    expect(result.tag).toMatch(/^sha-[0-9a-f]{32}$/);
    expect(result.layer.digest).not.toBe(result.layer.diffId);

    // The manifest: one OCI family, the base's layers then ours.
    const manifest = JSON.parse(skopeo('inspect', '--raw', `oci:${layout}:${result.tag}`)) as {
      mediaType: string;
      config: { mediaType: string };
      layers: Array<{ mediaType: string; digest: string }>;
    };
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(new Set(manifest.layers.map((l) => l.mediaType))).toEqual(
      new Set(['application/vnd.oci.image.layer.v1.tar+gzip']),
    );
    expect(manifest.layers).toHaveLength(2);
    expect(manifest.layers[1]!.digest).toBe(result.layer.digest);
    const inspected = JSON.parse(skopeo('inspect', `oci:${layout}:${result.tag}`)) as {
      Digest: string;
      Architecture: string;
      Os: string;
      Layers: string[];
    };
    expect(inspected).toMatchObject({ Digest: result.digest, Architecture: platformArch, Os: 'linux' });
    expect(inspected.Layers).toHaveLength(2);

    // The config: derived from the base's, with what the gateway needs.
    const config = JSON.parse(
      skopeo('inspect', '--config', `oci:${layout}:${result.tag}`),
    ) as InspectedConfig;
    expect(config.config.WorkingDir).toBe('/app');
    expect(config.config.User).toBe('node');
    expect(config.config.Cmd).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'server.mjs']);
    expect(config.config.Entrypoint ?? null).toBeNull();
    expect(config.config.Env).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PATH=/),
        'NODE_ENV=production',
        'SENTINEL_API_PORT=8000',
      ]),
    );
    expect(config.config.ExposedPorts).toEqual({ '8000/tcp': {} });
    expect(config.config.StopSignal).toBe('SIGTERM');
    expect(config.rootfs.diff_ids).toHaveLength(2);
    expect(config.rootfs.diff_ids[1]).toBe(result.layer.diffId);
    expect(config.history.at(-1)!.created_by).toMatch(/server\.mjs/);

    // umoci unpacks it; the files are where the config says, and the base's node runs them.
    const bundle = join(work, 'bundle');
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:${result.tag}`, bundle], {
      stdio: 'pipe',
    });
    const rootfs = join(bundle, 'rootfs');
    const workdir = join(rootfs, config.config.WorkingDir);
    expect(existsSync(join(workdir, 'server.mjs'))).toBe(true);
    expect(existsSync(join(workdir, 'server.mjs.map'))).toBe(true);
    expect(statSync(join(workdir, 'server.mjs')).mode & 0o777).toBe(0o644);
    const passwd = readFileSync(join(rootfs, 'etc/passwd'), 'utf8');
    expect(passwd).toMatch(new RegExp(`^${config.config.User}:x:1000:1000:`, 'm'));

    const port = await freePort();
    const env = Object.fromEntries(
      config.config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    const [command, ...args] = config.config.Cmd;
    expect(command).toBe('node');
    const child = spawn(join(rootfs, TEST_NODE_PATH), args, {
      cwd: workdir,
      env: {
        ...env,
        SENTINEL_API_PORT: String(port),
        SENTINEL_API_JWT_SECRET_KEY: TEST_SECRET,
        SENTINEL_API_UPSTREAM_BASE_URL: 'http://127.0.0.1:9',
        // The base's libraries, not the machine's: the unpacked image's own loader path.
        LD_LIBRARY_PATH: [
          ...new Set(
            execFileSync('ldd', [process.execPath], { encoding: 'utf8' })
              .split('\n')
              .map((l) => /=>\s*(\/\S+)\//.exec(l)?.[1])
              .filter(Boolean),
          ),
        ]
          .map((d) => join(rootfs, d!))
          .join(':'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`the image's node exited ${child.exitCode}: ${stderr}`);
        try {
          return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
        } catch {
          return false;
        }
      }, 20_000);
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);

  it('gives the same digest for the same inputs', async () => {
    const [a, b] = [join(work, 'a'), join(work, 'b')];
    const first = await build(a);
    const second = await build(b);
    expect(first.code).toBe(0);
    const digest = (r: typeof first) =>
      (JSON.parse(r.stdout.trim().split('\n').pop()!) as { digest: string }).digest;
    expect(digest(second)).toBe(digest(first));
    expect(readFileSync(join(b, 'index.json'), 'utf8')).toBe(readFileSync(join(a, 'index.json'), 'utf8'));
  }, 120_000);

  it('fails with exit 2, naming the platform, when the base has none for the task architecture', async () => {
    const other = arch === 'arm64' ? 'x86_64' : 'arm64';
    const run = await build(join(work, 'wrong'), { SENTINEL_API_TASK_ARCHITECTURE: other });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(other === 'arm64' ? 'linux/arm64' : 'linux/amd64');
    expect(existsSync(join(work, 'wrong', 'index.json'))).toBe(false);
  }, 60_000);
});
