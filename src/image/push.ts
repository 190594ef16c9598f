// Pushing a built image: the manifest's tag is checked first (an unchanged image costs one HEAD),
// then each blob the repository lacks streams from its source (the base registry, or memory for the
// gateway's layer and config) straight into the upload, never held whole; the manifest goes last.
import { Transform, type Readable } from 'node:stream';
import type { ImageBuild } from './build';
import type { RegistryClient } from './registry-client';

export interface UploadProgress {
  digest: string;
  /** Bytes of this blob sent so far, and its size. */
  bytes: number;
  total: number;
  /** Average since this blob's upload started. */
  bytesPerSecond: number;
  done: boolean;
}

export interface PushOptions {
  onProgress?: (progress: UploadProgress) => void;
  /** Injected for tests. @default Date.now */
  now?: () => number;
  /** Least time between two progress reports of one blob. @default 250 */
  progressIntervalMs?: number;
}

export interface PushResult {
  /** The manifest digest: what a task definition pins. */
  digest: string;
  tag: string;
  /** The tag already named this exact manifest: nothing was sent. */
  unchanged: boolean;
  uploadedBlobs: number;
  uploadedBytes: number;
  skippedBlobs: number;
}

function counting(digest: string, total: number, options: PushOptions): Transform {
  const now = options.now ?? Date.now;
  const interval = options.progressIntervalMs ?? 250;
  const started = now();
  let bytes = 0;
  let last = -Infinity;
  const report = (done: boolean) => {
    const elapsed = Math.max(now() - started, 1);
    options.onProgress?.({
      digest,
      bytes,
      total,
      bytesPerSecond: Math.round((bytes * 1000) / elapsed),
      done,
    });
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (now() - last >= interval) {
        last = now();
        report(false);
      }
      callback(null, chunk);
    },
    flush(callback) {
      report(true);
      callback();
    },
  });
}

export async function pushImage(
  image: ImageBuild,
  target: RegistryClient,
  options: PushOptions = {},
): Promise<PushResult> {
  const result: PushResult = {
    digest: image.manifest.digest,
    tag: image.tag,
    unchanged: false,
    uploadedBlobs: 0,
    uploadedBytes: 0,
    skippedBlobs: 0,
  };
  const existing = await target.manifestDigest(image.tag);
  if (existing?.digest === image.manifest.digest) return { ...result, unchanged: true };
  for (const blob of image.blobs) {
    const { digest, size } = blob.descriptor;
    if (await target.hasBlob(digest)) {
      result.skippedBlobs++;
      continue;
    }
    const source: Readable = await blob.open();
    const body = counting(digest, size, options);
    source.on('error', (error) => body.destroy(error));
    source.pipe(body);
    await target.uploadBlob(digest, size, body);
    result.uploadedBlobs++;
    result.uploadedBytes += size;
  }
  await target.putManifest(image.tag, image.manifest.mediaType, image.manifest.bytes);
  return result;
}
