// Writes an image as an OCI image layout (oci-layout, index.json, blobs/sha256/<hex>): what
// `sentinel image build --oci-layout DIR` leaves for skopeo, umoci, crane or a CI artefact. Blobs
// stream to a temporary file and are renamed into place, so an interrupted write leaves no blob that
// fails its digest; a blob already present is not fetched again.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ImageBuild } from './build';
import { digestHex } from './digest';
import { MediaType } from './media-types';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export async function writeOciLayout(dir: string, image: ImageBuild): Promise<{ index: string }> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  for (const blob of image.blobs) {
    const path = join(blobs, digestHex(blob.descriptor.digest));
    if (existsSync(path)) continue;
    const partial = `${path}.partial`;
    try {
      await pipeline(await blob.open(), createWriteStream(partial));
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
  }
  await writeFile(join(blobs, digestHex(image.manifest.digest)), image.manifest.bytes);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [
      {
        mediaType: image.manifest.mediaType,
        digest: image.manifest.digest,
        size: image.manifest.size,
        platform: image.platform,
        annotations: { [REF_NAME_ANNOTATION]: image.tag },
      },
    ],
  };
  const indexPath = join(dir, 'index.json');
  await writeFile(indexPath, JSON.stringify(index, null, 2) + '\n');
  return { index: indexPath };
}
