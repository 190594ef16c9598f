// Assembling the gateway image: the base for the task's platform, plus one layer with the bundle,
// a config derived from the base's and an OCI manifest. Nothing is written or pushed here; the
// result lists every blob with a way to open it, for the layout writer and the pusher.
import { Readable } from 'node:stream';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import { resolveBase, type ResolvedBase } from './base';
import { gatewayConfig } from './config';
import { sha256Digest } from './digest';
import { buildAppLayer, type LayerFile } from './layer';
import { MediaType, ociLayerType, type Descriptor, type ImageManifest } from './media-types';
import { formatPlatform, type Platform } from './platform';
import { parseReference } from './reference';
import { RegistryClient } from './registry-client';

export interface BlobSource {
  descriptor: Descriptor;
  /** Where the bytes come from: the base registry, or this build. */
  origin: 'base' | 'build';
  open(): Promise<Readable>;
}

export interface ImageBuild {
  base: Pick<ResolvedBase, 'reference' | 'digest' | 'manifestDigest'>;
  platform: Platform;
  manifest: { mediaType: string; bytes: Buffer; digest: string; size: number };
  config: { bytes: Buffer; digest: string };
  layer: { digest: string; diffId: string; size: number };
  /** The config first, then the layers, base layers before the gateway's. */
  blobs: BlobSource[];
  /** A hash of what goes in (base manifest, layer diff_id, config): the tag pushes use. */
  tag: string;
}

export interface BuildInputs {
  baseImage: string;
  platform: Platform;
  files: LayerFile[];
  port: number;
  portVariable: string;
  nodeFlags: readonly string[];
  version: string;
}

export function contentTag(baseManifestDigest: string, diffId: string, configDigest: string): string {
  return `sha-${sha256Digest(Buffer.from(`${baseManifestDigest}\0${diffId}\0${configDigest}`)).slice(7, 39)}`;
}

export async function buildImage(inputs: BuildInputs): Promise<ImageBuild> {
  const ref = parseReference(inputs.baseImage);
  const baseClient = new RegistryClient(ref.registry, ref.repository);
  const base = await resolveBase(ref, inputs.platform, baseClient);
  const layer = await buildAppLayer(inputs.files);
  const config = gatewayConfig(base.config, {
    diffId: layer.diffId,
    port: inputs.port,
    portVariable: inputs.portVariable,
    nodeFlags: inputs.nodeFlags,
    version: inputs.version,
  });
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256Digest(configBytes);
  const baseLayers = base.manifest.layers.map((l): Descriptor => {
    const mediaType = ociLayerType(l.mediaType);
    if (!mediaType)
      throw new SentinelError(
        ErrorCode.ImageUnsupported,
        `${base.reference} has a layer of type ${l.mediaType}`,
        {
          hint: 'Use a base whose layers are plain tar, gzip or zstd (the official Node images are)',
          exitCode: 2,
        },
      );
    return { mediaType, digest: l.digest, size: l.size };
  });
  const appLayer: Descriptor = { mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size };
  const configDescriptor: Descriptor = {
    mediaType: MediaType.ociConfig,
    digest: configDigest,
    size: configBytes.length,
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: configDescriptor,
    layers: [...baseLayers, appLayer],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const fromMemory = (bytes: Buffer) => () => Promise.resolve(Readable.from([bytes]));
  return {
    base: { reference: base.reference, digest: base.digest, manifestDigest: base.manifestDigest },
    platform: inputs.platform,
    manifest: {
      mediaType: MediaType.ociManifest,
      bytes: manifestBytes,
      digest: sha256Digest(manifestBytes),
      size: manifestBytes.length,
    },
    config: { bytes: configBytes, digest: configDigest },
    layer: { digest: layer.digest, diffId: layer.diffId, size: layer.size },
    blobs: [
      { descriptor: configDescriptor, origin: 'build', open: fromMemory(configBytes) },
      ...baseLayers.map((d): BlobSource => ({
        descriptor: d,
        origin: 'base',
        open: () => baseClient.blob(d.digest, d.size),
      })),
      { descriptor: appLayer, origin: 'build', open: fromMemory(layer.blob) },
    ],
    tag: contentTag(base.manifestDigest, layer.diffId, configDigest),
  };
}

export function describeBuild(build: ImageBuild): string {
  return `${formatPlatform(build.platform)} on ${build.base.reference}`;
}
