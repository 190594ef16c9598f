// The one layer the gateway adds: /app/server.mjs and its source map, owned by the base's `node`
// user (1000:1000). Built so the same files always give the same bytes: sorted entries, fixed
// mtime/uid/gid/modes, plain ustar headers (no PAX time records), gzip with a zero header mtime.
// The layer's digest (of the gzip) and its diff_id (of the tar) are different values with different
// uses: the manifest names the first, the config's rootfs the second.
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { sha256Digest } from './digest';

/** uid/gid of `node` in the official image; the gateway runs as that user. */
export const APP_OWNER = { uid: 1000, gid: 1000, uname: 'node', gname: 'node' } as const;
export const APP_DIR = '/app';
/** A fixed timestamp for every entry, so a rebuild of the same files is byte-identical. */
const MTIME = new Date(0);

export interface LayerFile {
  /** Name inside APP_DIR. */
  name: string;
  content: Buffer;
}

export interface BuiltLayer {
  /** The gzip bytes: what is stored and pushed. The layer is a few MB (one bundle), so it stays in memory. */
  blob: Buffer;
  /** sha256 of the gzip: the manifest's layer digest. */
  digest: string;
  /** sha256 of the uncompressed tar: the config's rootfs diff_id. */
  diffId: string;
  size: number;
}

export async function buildAppLayer(files: readonly LayerFile[]): Promise<BuiltLayer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  const common = { ...APP_OWNER, mtime: MTIME };
  const dir = APP_DIR.slice(1);
  tar.entry({ ...common, name: `${dir}/`, type: 'directory', mode: 0o755 });
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    tar.entry(
      { ...common, name: `${dir}/${file.name}`, type: 'file', mode: 0o644, size: file.content.length },
      file.content,
    );
  }
  tar.finalize();
  await ended;
  const raw = Buffer.concat(chunks);
  // Level 9 and no file name or mtime in the gzip header: identical input, identical output on one zlib build.
  const blob = gzipSync(raw, { level: 9 });
  return { blob, digest: sha256Digest(blob), diffId: sha256Digest(raw), size: blob.length };
}
