// Before any CloudFormation call: the image a deploy will run exists and has the task's
// architecture. A private ECR image is looked up with DescribeImages (and read through the registry
// API with an ECR token); any other registry anonymously, HEAD on the manifest first. Failing here
// takes seconds; failing in ECS takes a Redis create, a circuit breaker and a rollback.
import type { Config } from '../../core/config/schema';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import {
  formatPlatform,
  parseReference,
  platformOf,
  RegistryClient,
  selectPlatform,
  type ImageReference,
  type Platform,
} from '../image';
import { isIndex } from '../image/media-types';
import type { ImageIndex, ImageManifest } from '../image/media-types';
import type { EcrApi } from './aws-clients';
import { isNotFound } from './aws-clients';
import { ecrRegistryClient } from './image';

const PRIVATE_ECR = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

function missing(uri: string, detail: string): SentinelError {
  return new SentinelError(ErrorCode.ImageNotFound, `The gateway image ${uri} does not exist: ${detail}`, {
    hint: 'Push the image first, fix --image-uri (SENTINEL_API_GATEWAY_IMAGE_URI), or unset it to build the image in Node',
    exitCode: 2,
  });
}

function wrongArchitecture(uri: string, platform: Platform, has: string[]): SentinelError {
  return new SentinelError(
    ErrorCode.ImagePlatformMissing,
    `The gateway image ${uri} has no ${formatPlatform(platform)} image${has.length ? ` (it has ${has.join(', ')})` : ''}`,
    {
      hint: `Push a ${formatPlatform(platform)} (or multi-arch) image, or set SENTINEL_API_TASK_ARCHITECTURE to match the image`,
      exitCode: 2,
    },
  );
}

/** The platforms an image offers: its index's entries, or the single manifest's config. */
async function platformsOf(client: RegistryClient, ref: ImageReference, want: Platform): Promise<string[]> {
  const top = await client.manifest(ref.digest ?? ref.tag ?? 'latest');
  const doc = JSON.parse(top.bytes.toString('utf8')) as ImageIndex | ImageManifest;
  if (isIndex(top.mediaType)) {
    const index = doc as ImageIndex;
    if (selectPlatform(index, want)) return [formatPlatform(want)];
    return index.manifests
      .filter((m) => m.platform && m.platform.os !== 'unknown')
      .map((m) => formatPlatform(m.platform!));
  }
  const manifest = doc as ImageManifest;
  const chunks: Buffer[] = [];
  for await (const c of (await client.blob(
    manifest.config.digest,
    manifest.config.size,
  )) as AsyncIterable<Buffer>)
    chunks.push(c);
  const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { os: string; architecture: string };
  return [formatPlatform(config)];
}

export interface ImageCheck {
  uri: string;
  platform: string;
}

export async function checkImage(
  uri: string,
  architecture: Config['taskArchitecture'],
  deps: { ecr: EcrApi; region: string },
): Promise<ImageCheck> {
  const ref = parseReference(uri);
  const want = platformOf(architecture);
  const ecr = PRIVATE_ECR.exec(ref.registry);
  let client: RegistryClient;
  if (ecr && ecr[2] === deps.region) {
    try {
      const found = await deps.ecr.describeImages({
        registryId: ecr[1],
        repositoryName: ref.repository,
        imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag }],
      });
      if (!found.imageDetails?.length) throw missing(uri, 'ECR lists no such image');
    } catch (error) {
      if (isNotFound(error)) throw missing(uri, (error as Error).message);
      throw error;
    }
    client = await ecrRegistryClient(deps.ecr, `${ref.registry}/${ref.repository}`);
  } else {
    client = new RegistryClient(ref.registry, ref.repository);
    const head = await client.manifestDigest(ref.digest ?? ref.tag ?? 'latest');
    if (!head) throw missing(uri, `${ref.registry} has no such manifest`);
  }
  const has = await platformsOf(client, ref, want);
  if (!has.includes(formatPlatform(want))) throw wrongArchitecture(uri, want, has);
  return { uri, platform: formatPlatform(want) };
}
