// The base image for one platform: its reference resolved to a manifest (through the multi-arch
// index when there is one) and its config, both checked against their digests.
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import type { ImageConfig } from './config';
import { isIndex, isManifest, type ImageIndex, type ImageManifest } from './media-types';
import { formatPlatform, indexPlatforms, selectPlatform, type Platform } from './platform';
import { formatReference, referenceTarget, type ImageReference } from './reference';
import type { RegistryClient } from './registry-client';

export interface ResolvedBase {
  reference: string;
  /** What the reference resolved to: the index's digest for a multi-arch base. */
  digest: string;
  /** The platform's own manifest. */
  manifestDigest: string;
  manifest: ImageManifest;
  config: ImageConfig;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function platformMissing(reference: string, platform: Platform, available: string[]): SentinelError {
  return new SentinelError(
    ErrorCode.ImagePlatformMissing,
    `${reference} has no ${formatPlatform(platform)} image${available.length ? ` (it has ${available.join(', ')})` : ''}`,
    {
      hint: 'Use a multi-arch base (SENTINEL_API_GATEWAY_BASE_IMAGE) or set SENTINEL_API_TASK_ARCHITECTURE to an architecture it has',
      exitCode: 2,
    },
  );
}

export async function resolveBase(
  ref: ImageReference,
  platform: Platform,
  client: RegistryClient,
): Promise<ResolvedBase> {
  const reference = formatReference(ref);
  const top = await client.manifest(referenceTarget(ref));
  let manifestDigest = top.digest;
  let manifestBytes = top.bytes;
  let mediaType = top.mediaType;
  if (isIndex(mediaType)) {
    const index = JSON.parse(top.bytes.toString('utf8')) as ImageIndex;
    const entry = selectPlatform(index, platform);
    if (!entry) throw platformMissing(reference, platform, indexPlatforms(index));
    const chosen = await client.manifest(entry.digest);
    manifestDigest = chosen.digest;
    manifestBytes = chosen.bytes;
    mediaType = chosen.mediaType;
  }
  if (!isManifest(mediaType))
    throw new SentinelError(
      ErrorCode.ImageUnsupported,
      `${reference} is a ${mediaType}, not an image manifest`,
      {
        hint: 'Use an OCI or Docker v2 image as the base',
        exitCode: 2,
      },
    );
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
  if (manifest.config.size > MAX_CONFIG_BYTES)
    throw new SentinelError(ErrorCode.ImageUnsupported, `The config of ${reference} is implausibly large`);
  const stream = await client.blob(manifest.config.digest, manifest.config.size);
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ImageConfig;
  if (config.os !== platform.os || config.architecture !== platform.architecture)
    throw platformMissing(reference, platform, [formatPlatform(config)]);
  return { reference, digest: top.digest, manifestDigest, manifest, config };
}
