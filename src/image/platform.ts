// Platforms: the task architecture as an OCI platform, and choosing its manifest from a multi-arch
// index. Attestation entries (BuildKit provenance/SBOM, platform unknown/unknown) are never images.
import type { Descriptor, ImageIndex } from './media-types';
import { isManifest } from './media-types';

export interface Platform {
  os: 'linux';
  architecture: 'amd64' | 'arm64';
}

export function platformOf(taskArchitecture: 'arm64' | 'x86_64'): Platform {
  return { os: 'linux', architecture: taskArchitecture === 'x86_64' ? 'amd64' : 'arm64' };
}

export function formatPlatform(platform: { os: string; architecture: string; variant?: string }): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
}

/** The platforms an index offers as images, for an error that says what there is. */
export function indexPlatforms(index: ImageIndex): string[] {
  return index.manifests
    .filter((m) => !isAttestation(m) && m.platform && m.platform.os !== 'unknown')
    .map((m) => formatPlatform(m.platform!));
}

/** The index entry for the platform; arm64 accepts the v8 variant or none. */
export function selectPlatform(index: ImageIndex, platform: Platform): Descriptor | undefined {
  return index.manifests.find(
    (m) =>
      isManifest(m.mediaType) &&
      !isAttestation(m) &&
      m.platform?.os === platform.os &&
      m.platform.architecture === platform.architecture &&
      (platform.architecture !== 'arm64' || !m.platform.variant || m.platform.variant === 'v8'),
  );
}
