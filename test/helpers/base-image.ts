// A base image the tests make themselves: one layer with this machine's real `node` binary, the
// shared libraries `ldd` lists for it, and an /etc/passwd with a `node` user (uid 1000), in a
// multi-arch OCI index beside an attestation entry, as the official images are published. Pushed
// to a loopback registry with skopeo, an independent client.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform, type PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';

export const TEST_NODE_PATH = '/usr/local/bin/node';

const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

function hashing(hash: ReturnType<typeof createHash>, count: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      count.bytes += chunk.length;
      cb(null, chunk);
    },
  });
}

/** Paths of the libraries the dynamic linker loads for `binary`, and the linker itself. */
function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const paths = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) paths.add(m[1]!);
  }
  return [...paths].sort();
}

function platformArch(): 'amd64' | 'arm64' {
  return process.arch === 'arm64' ? 'arm64' : 'amd64';
}

type Entry = { name: string; mode: number; uid?: number; gid?: number } & (
  { type: 'directory' } | { type: 'file'; content: Buffer } | { type: 'file'; path: string }
);

async function writeLayer(
  entries: Entry[],
  file: string,
): Promise<{ digest: string; diffId: string; size: number }> {
  const tar = pack();
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  const tarCount = { bytes: 0 };
  const gzCount = { bytes: 0 };
  const done = pipeline(
    tar,
    hashing(diff, tarCount),
    createGzip({ level: 1 }),
    hashing(blob, gzCount),
    createWriteStream(file),
  );
  for (const e of entries) {
    const header = { name: e.name, mode: e.mode, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(0) };
    if (e.type === 'directory') tar.entry({ ...header, type: 'directory' });
    else if ('content' in e) tar.entry({ ...header, size: e.content.length }, e.content);
    else {
      const sink = tar.entry({ ...header, size: statSync(e.path).size });
      await pipeline(createReadStream(e.path), sink as unknown as PassThrough);
    }
  }
  tar.finalize();
  await done;
  return {
    digest: `sha256:${blob.digest('hex')}`,
    diffId: `sha256:${diff.digest('hex')}`,
    size: gzCount.bytes,
  };
}

export interface TestBaseOptions {
  /** An extra layer of this many random (incompressible) bytes, to make a base of a given size. */
  padBytes?: number;
}

/** Writes the test base as an OCI layout (tag `test`) and returns its directory. */
export async function makeTestBaseLayout(options: TestBaseOptions = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'test-base-'));
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = (bytes: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    writeFileSync(join(blobs, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const node = realpathSync(process.execPath);
  const libs = sharedLibraries(node);
  const files: Entry[] = [
    { type: 'file', name: TEST_NODE_PATH.slice(1), mode: 0o755, path: node },
    ...libs.map((p): Entry => ({ type: 'file', name: p.slice(1), mode: 0o755, path: realpathSync(p) })),
    {
      type: 'file',
      name: 'etc/passwd',
      mode: 0o644,
      content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n'),
    },
    { type: 'file', name: 'etc/group', mode: 0o644, content: Buffer.from('root:x:0:\nnode:x:1000:\n') },
  ];
  const dirs = new Set<string>(['tmp', 'home', 'home/node']);
  for (const f of files) for (let d = dirname(f.name); d !== '.' && d !== '/'; d = dirname(d)) dirs.add(d);
  const entries: Entry[] = [
    ...[...dirs].map((d): Entry => ({
      type: 'directory',
      name: `${d}/`,
      mode: d === 'tmp' ? 0o1777 : 0o755,
      ...(d === 'home/node' ? { uid: 1000, gid: 1000 } : {}),
    })),
    ...files,
  ].sort((a, b) => (a.name < b.name ? -1 : 1));
  const layers = [];
  const tmpLayer = join(dir, 'layer.partial');
  const moveIn = async (l: { digest: string }) =>
    execFileSync('mv', [tmpLayer, join(blobs, l.digest.slice(7))]);
  const main = await writeLayer(entries, tmpLayer);
  await moveIn(main);
  layers.push(main);
  if (options.padBytes) {
    const pad = await writeLayer(
      [{ type: 'file', name: 'padding.bin', mode: 0o644, content: randomBytes(options.padBytes) }],
      tmpLayer,
    );
    await moveIn(pad);
    layers.push(pad);
  }
  const arch = platformArch();
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        created: '2026-01-01T00:00:00Z',
        config: {
          Env: [
            'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            `NODE_VERSION=${process.version.slice(1)}`,
          ],
          Entrypoint: ['docker-entrypoint.sh'],
          Cmd: ['node'],
        },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'test base layer' })),
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.manifest,
        config: { mediaType: OCI.config, ...config },
        layers: layers.map((l) => ({ mediaType: OCI.layer, digest: l.digest, size: l.size })),
      }),
    ),
  );
  // An attestation manifest, as BuildKit adds to the official images: never a platform to run.
  const statement = put(
    Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://slsa.dev/provenance/v0.2',
      }),
    ),
  );
  const emptyConfig = put(Buffer.from('{}'));
  const attestation = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.manifest,
        config: { mediaType: OCI.config, ...emptyConfig },
        layers: [{ mediaType: 'application/vnd.in-toto+json', ...statement }],
      }),
    ),
  );
  const index = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.index,
        manifests: [
          { mediaType: OCI.manifest, ...manifest, platform: { os: 'linux', architecture: arch } },
          {
            mediaType: OCI.manifest,
            ...attestation,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: {
              'vnd.docker.reference.type': 'attestation-manifest',
              'vnd.docker.reference.digest': manifest.digest,
            },
          },
        ],
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: OCI.index, ...index, annotations: { 'org.opencontainers.image.ref.name': 'test' } },
      ],
    }),
  );
  return dir;
}

/** Pushes the layout's `test` image (the whole index) to `registry/repository:tag` with skopeo. */
export function pushLayout(layout: string, target: string): void {
  execFileSync(
    'skopeo',
    [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${layout}:test`,
      `docker://${target}`,
    ],
    { stdio: 'pipe' },
  );
}

/** The digest of the index pushed at `target` (so tests can pin the base by digest). */
export function indexDigestOf(layout: string): string {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string }>;
  };
  return index.manifests[0]!.digest;
}
