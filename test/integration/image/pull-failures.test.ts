// Pulling a base from a registry that misbehaves, scripted on loopback: a blob whose bytes do not
// match its digest, an index without the platform, a token service that refuses, a registry that
// dies in the middle of a blob, and a redirect to another origin that must not see the token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, writeOciLayout, type BuildInputs } from '../../../src/image';
import { sha256Digest } from '../../../src/image/digest';
import { MediaType } from '../../../src/image/media-types';

const layer = Buffer.alloc(256 * 1024, 7);
const config = Buffer.from(
  JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin'] },
    rootfs: { type: 'layers', diff_ids: [sha256Digest(Buffer.from('tar'))] },
  }),
);
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha256Digest(config), size: config.length },
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: sha256Digest(layer), size: layer.length }],
  }),
);
const index = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [
      {
        mediaType: MediaType.ociManifest,
        digest: sha256Digest(manifest),
        size: manifest.length,
        platform: { os: 'linux', architecture: 'amd64' },
      },
      {
        mediaType: MediaType.ociManifest,
        digest: sha256Digest(Buffer.from('attestation')),
        size: 11,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    ],
  }),
);

type Fault = 'none' | 'corrupt-layer' | 'corrupt-config' | 'refuse-token' | 'die-mid-blob' | 'redirect-blobs';

interface Seen {
  path: string;
  authorization?: string;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1') {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('pulling a base from a misbehaving registry', () => {
  let fault: Fault = 'none';
  const seen: Seen[] = [];
  const storageSeen: Seen[] = [];
  let registry: { server: Server; port: number };
  let storage: { server: Server; port: number };
  const work = mkdtempSync(join(tmpdir(), 'pull-failures-'));

  beforeAll(async () => {
    storage = await listen((req, res) => {
      storageSeen.push({ path: req.url!, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-length': layer.length });
      res.end(layer);
    });
    registry = await listen((req, res) => {
      const url = new URL(req.url!, 'http://x');
      seen.push({ path: url.pathname, authorization: req.headers.authorization });
      if (url.pathname === '/token') {
        if (fault === 'refuse-token') {
          res.writeHead(401).end();
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: 'anon-token-123' }));
        return;
      }
      if (req.headers.authorization !== 'Bearer anon-token-123') {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://127.0.0.1:${registry.port}/token",service="fake",scope="repository:library/node:pull"`,
          })
          .end();
        return;
      }
      const send = (type: string, body: Buffer) =>
        res
          .writeHead(200, {
            'content-type': type,
            'content-length': body.length,
            'docker-content-digest': sha256Digest(body),
          })
          .end(body);
      if (url.pathname === '/v2/library/node/manifests/24') return send(MediaType.ociIndex, index);
      if (url.pathname === `/v2/library/node/manifests/${sha256Digest(manifest)}`)
        return send(MediaType.ociManifest, manifest);
      if (url.pathname === `/v2/library/node/blobs/${sha256Digest(config)}`) {
        if (fault === 'corrupt-config')
          return send('application/octet-stream', Buffer.from(config.toString().replace('amd64', 'arm64')));
        return send('application/octet-stream', config);
      }
      if (url.pathname === `/v2/library/node/blobs/${sha256Digest(layer)}`) {
        if (fault === 'redirect-blobs') {
          // Another origin (localhost, not 127.0.0.1): object storage that must not get the token.
          res.writeHead(307, { location: `http://localhost:${storage.port}/bucket/layer?sig=abc` }).end();
          return;
        }
        if (fault === 'die-mid-blob') {
          res.writeHead(200, { 'content-length': layer.length });
          res.write(layer.subarray(0, layer.length / 2), () => res.socket?.destroy());
          return;
        }
        if (fault === 'corrupt-layer') {
          const bad = Buffer.from(layer);
          bad[1000] = 8;
          return send('application/octet-stream', bad);
        }
        return send('application/octet-stream', layer);
      }
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
    });
  });
  afterEach(() => {
    fault = 'none';
    seen.splice(0);
    storageSeen.splice(0);
  });
  afterAll(async () => {
    for (const s of [registry?.server, storage?.server]) {
      s?.closeAllConnections();
      await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
    }
    rmSync(work, { recursive: true, force: true });
  });

  const inputs = (architecture: 'amd64' | 'arm64' = 'amd64'): BuildInputs => ({
    baseImage: `127.0.0.1:${registry.port}/library/node:24`,
    platform: { os: 'linux', architecture },
    files: [{ name: 'server.mjs', content: Buffer.from('export {}') }],
    port: 8000,
    portVariable: 'SENTINEL_API_PORT',
    nodeFlags: [],
    version: '0.0.0',
  });

  async function pullInto(dir: string) {
    const image = await buildImage(inputs());
    await writeOciLayout(join(work, dir), image);
  }

  it('pulls through an anonymous bearer token when nothing is wrong', async () => {
    await pullInto('ok');
    expect(seen.filter((s) => s.path === '/token')).toHaveLength(1);
    expect(readdirSync(join(work, 'ok', 'blobs', 'sha256'))).toContain(sha256Digest(layer).slice(7));
  });

  it('fails a layer whose bytes do not match its digest, leaving no blob for it', async () => {
    fault = 'corrupt-layer';
    await expect(pullInto('corrupt')).rejects.toMatchObject({ code: 'ERR_IMAGE_DIGEST_MISMATCH' });
    expect(readdirSync(join(work, 'corrupt', 'blobs', 'sha256'))).not.toContain(sha256Digest(layer).slice(7));
  });

  it('fails a config whose bytes do not match its digest', async () => {
    fault = 'corrupt-config';
    await expect(buildImage(inputs())).rejects.toMatchObject({ code: 'ERR_IMAGE_DIGEST_MISMATCH' });
  });

  it('fails on a missing architecture, skipping the attestation entry', async () => {
    await expect(buildImage(inputs('arm64'))).rejects.toMatchObject({
      code: 'ERR_IMAGE_PLATFORM_MISSING',
      exitCode: 2,
    });
  });

  it('fails with an auth error when the token service refuses', async () => {
    fault = 'refuse-token';
    await expect(buildImage(inputs())).rejects.toMatchObject({ code: 'ERR_IMAGE_AUTH_FAILED', exitCode: 2 });
  });

  it('fails with a transfer error when the registry dies in the middle of a blob', async () => {
    fault = 'die-mid-blob';
    await expect(pullInto('died')).rejects.toMatchObject({ code: 'ERR_IMAGE_TRANSFER_FAILED' });
    expect(readdirSync(join(work, 'died', 'blobs', 'sha256'))).not.toContain(sha256Digest(layer).slice(7));
  });

  it('follows a blob redirect to another origin without forwarding Authorization', async () => {
    fault = 'redirect-blobs';
    await pullInto('redirected');
    expect(storageSeen).toHaveLength(1);
    expect(storageSeen[0]!.authorization).toBeUndefined();
    expect(
      seen.find((s) => s.path.includes('/blobs/') && s.path.endsWith(sha256Digest(layer).slice(7)))
        ?.authorization,
    ).toBe('Bearer anon-token-123');
  });
});
