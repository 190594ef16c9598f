// The gateway image: an explicit URI wins; otherwise the image is built in Node (the pinned Node
// base plus one layer with the bundle, src/image) and pushed to the stack's own ECR repository
// through the registry HTTP API, tagged with the hash of what goes into it and pinned by digest.
import { readFileSync } from 'node:fs';
import type { Config } from '../../core/config/schema';
import { envName } from '../../core/config/knob';
import { VERSION } from '../../core/version';
import { GATEWAY_NODE_FLAGS } from '../../runtime/node-flags';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import {
  buildImage,
  formatPlatform,
  platformOf,
  pushImage,
  RegistryClient,
  type BuildInputs,
  type ImageBuild,
  type Platform,
  type PushResult,
  type UploadProgress,
} from '../image';
import type { EcrApi } from './aws-clients';
import { isNotFound } from './aws-clients';
import type { BundlePaths } from './package-root';
import { requireFile } from './package-root';

export type ImagePlan =
  | { source: 'explicit'; uri: string }
  | { source: 'build'; repositoryName: string; platform: Platform; baseImage: string };

/** Marks repositories deploy created, so teardown removes only those. */
export const CREATED_BY_TAG = { Key: 'sentinel-api:created-by', Value: 'sentinel deploy' } as const;

/** ECR names are lowercase; the repository is `<stack>-gateway`. */
export function ecrRepositoryName(stackName: string): string {
  return `${stackName.toLowerCase()}-gateway`;
}

export function planImage(config: Config, stackName: string): ImagePlan {
  if (config.gatewayImageUri) return { source: 'explicit', uri: config.gatewayImageUri };
  return {
    source: 'build',
    repositoryName: ecrRepositoryName(stackName),
    platform: platformOf(config.taskArchitecture),
    baseImage: config.gatewayBaseImage,
  };
}

export function registryHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com`;
}

/** What the gateway image is built from: the base, the bundle and its source map, the port and flags. */
export function gatewayBuildInputs(config: Config, paths: BundlePaths): BuildInputs {
  const server = readFileSync(requireFile(paths.gateway, 'gateway bundle'));
  const map = readFileSync(requireFile(`${paths.gateway}.map`, 'gateway source map'));
  return {
    baseImage: config.gatewayBaseImage,
    platform: platformOf(config.taskArchitecture),
    files: [
      { name: 'server.mjs', content: server },
      { name: 'server.mjs.map', content: map },
    ],
    port: config.port,
    portVariable: envName('port'),
    nodeFlags: GATEWAY_NODE_FLAGS,
    version: VERSION,
  };
}

const KEEP_LAST_IMAGES = 10;
const LIFECYCLE_POLICY = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: `keep the last ${KEEP_LAST_IMAGES} images`,
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: KEEP_LAST_IMAGES },
      action: { type: 'expire' },
    },
  ],
});

export async function ensureRepository(
  ecr: EcrApi,
  name: string,
): Promise<{ uri: string; created: boolean }> {
  try {
    const found = await ecr.describeRepositories({ repositoryNames: [name] });
    const uri = found.repositories?.[0]?.repositoryUri;
    if (uri) return { uri, created: false };
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const created = await ecr.createRepository({
    repositoryName: name,
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: 'AES256' },
    tags: [{ ...CREATED_BY_TAG }],
  });
  await ecr.putLifecyclePolicy({ repositoryName: name, lifecyclePolicyText: LIFECYCLE_POLICY });
  return { uri: created.repository?.repositoryUri ?? '', created: true };
}

/**
 * A registry client for an ECR repository, with the credential GetAuthorizationToken hands out
 * (`AWS:<password>`, valid 12 hours); the push itself goes through the registry HTTP API.
 */
export async function ecrRegistryClient(ecr: EcrApi, repositoryUri: string): Promise<RegistryClient> {
  const auth = (await ecr.getAuthorizationToken({})).authorizationData?.[0];
  const decoded = Buffer.from(auth?.authorizationToken ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0)
    throw new SentinelError(ErrorCode.ImageAuthFailed, 'ECR returned no usable authorization token', {
      hint: 'Check that your credentials allow ecr:GetAuthorizationToken',
    });
  const slash = repositoryUri.indexOf('/');
  return new RegistryClient(repositoryUri.slice(0, slash), repositoryUri.slice(slash + 1), {
    credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
    push: true,
  });
}

/** Resolves the base for the task's platform and assembles the image; fails fast on a missing base or platform. */
export function buildGatewayImage(config: Config, paths: BundlePaths): Promise<ImageBuild> {
  return buildImage(gatewayBuildInputs(config, paths));
}

export interface PushOptions {
  ecr: EcrApi;
  repositoryName: string;
  image: ImageBuild;
  onProgress?: (progress: UploadProgress) => void;
}

export interface PushedImage {
  /** `<repository uri>@sha256:...`: what the task definition runs. */
  uri: string;
  tag: string;
  base: ImageBuild['base'];
  platform: string;
  push: PushResult;
  repositoryCreated: boolean;
}

/** Pushes to the stack's repository (created when missing); returns the image pinned by digest. */
export async function pushGatewayImage(options: PushOptions): Promise<PushedImage> {
  const { image } = options;
  const repository = await ensureRepository(options.ecr, options.repositoryName);
  const target = await ecrRegistryClient(options.ecr, repository.uri);
  const push = await pushImage(image, target, { onProgress: options.onProgress });
  return {
    uri: `${repository.uri}@${push.digest}`,
    tag: image.tag,
    base: image.base,
    platform: formatPlatform(image.platform),
    push,
    repositoryCreated: repository.created,
  };
}
