// The gateway image: an explicit URI wins, else a local build pushed to ECR when asked, else the
// published image `<repository>:<package version>`. A build is tagged with the content hash of what
// goes into it, skipped when ECR already has that tag, and pinned by digest in the task definition.
import { readFileSync } from 'node:fs';
import type { Config } from '../../core/config/schema';
import { ErrorCode, SentinelError } from '../../core/shared/errors';
import type { EcrApi } from './aws-clients';
import { isNotFound } from './aws-clients';
import { sha256Hex } from './assets';
import type { CommandRunner } from './command-runner';
import type { BundlePaths } from './package-root';

export type ImagePlan =
  | { source: 'explicit'; uri: string }
  | { source: 'published'; uri: string }
  | { source: 'build'; repositoryName: string; platform: string };

/** Marks repositories deploy created, so teardown removes only those. */
export const CREATED_BY_TAG = { Key: 'sentinel-api:created-by', Value: 'sentinel deploy' } as const;

/** ECR names are lowercase; the original named the repository `<stack>-gateway`. */
export function ecrRepositoryName(stackName: string): string {
  return `${stackName.toLowerCase()}-gateway`;
}

export function dockerPlatform(architecture: Config['taskArchitecture']): string {
  return architecture === 'x86_64' ? 'linux/amd64' : 'linux/arm64';
}

export function planImage(config: Config, stackName: string): ImagePlan {
  if (config.gatewayImageUri) return { source: 'explicit', uri: config.gatewayImageUri };
  if (config.buildGatewayImage) {
    return {
      source: 'build',
      repositoryName: ecrRepositoryName(stackName),
      platform: dockerPlatform(config.taskArchitecture),
    };
  }
  return { source: 'published', uri: `${config.gatewayImageRepository}:${config.gatewayImageTag}` };
}

export function registryHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com`;
}

/** The tag of a build: what goes into the image (bundle, Dockerfile) and the platform it is for. */
export function contentTag(paths: BundlePaths, platform: string): string {
  const hash = sha256Hex(
    Buffer.concat([
      readFileSync(paths.gateway),
      Buffer.from('\0'),
      readFileSync(paths.dockerfile),
      Buffer.from(`\0${platform}`),
    ]),
  );
  return `sha-${hash.slice(0, 32)}`;
}

export async function checkDocker(runner: CommandRunner): Promise<void> {
  const result = await runner.run('docker', ['buildx', 'version']);
  if (result.code !== 0) {
    throw new SentinelError(
      ErrorCode.DockerUnavailable,
      'Building the gateway image needs Docker with buildx, and `docker buildx version` failed',
      {
        hint: 'Install or start Docker, or deploy the published image (unset SENTINEL_API_BUILD_GATEWAY_IMAGE) or pass --image-uri',
        exitCode: 2,
      },
    );
  }
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

async function digestOf(ecr: EcrApi, repositoryName: string, tag: string): Promise<string | undefined> {
  try {
    const images = await ecr.describeImages({ repositoryName, imageIds: [{ imageTag: tag }] });
    return images.imageDetails?.[0]?.imageDigest;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export interface BuildOptions {
  ecr: EcrApi;
  runner: CommandRunner;
  repositoryName: string;
  platform: string;
  paths: BundlePaths;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface BuiltImage {
  /** `<repository uri>@sha256:...`: what the task definition runs. */
  uri: string;
  tag: string;
  built: boolean;
  repositoryCreated: boolean;
}

export async function buildAndPushImage(options: BuildOptions): Promise<BuiltImage> {
  const { ecr, runner, repositoryName, platform, paths } = options;
  const tag = contentTag(paths, platform);
  const repository = await ensureRepository(ecr, repositoryName);
  const existing = await digestOf(ecr, repositoryName, tag);
  if (existing)
    return { uri: `${repository.uri}@${existing}`, tag, built: false, repositoryCreated: repository.created };

  const auth = (await ecr.getAuthorizationToken({})).authorizationData?.[0];
  const [user, password] = Buffer.from(auth?.authorizationToken ?? '', 'base64')
    .toString('utf8')
    .split(':');
  const registry = repository.uri.split('/')[0]!;
  // The password goes in on stdin: on the command line it would be visible to every local process.
  const login = await runner.run(
    'docker',
    ['login', '--username', user ?? 'AWS', '--password-stdin', registry],
    {
      input: password ?? '',
      signal: options.signal,
    },
  );
  if (login.code !== 0) throw dockerError('docker login to ECR failed', login.stderr);

  const build = await runner.run(
    'docker',
    [
      'buildx',
      'build',
      '--platform',
      platform,
      '--file',
      paths.dockerfile,
      '--tag',
      `${repository.uri}:${tag}`,
      '--provenance=false',
      '--push',
      paths.root,
    ],
    { onLine: options.onLine, signal: options.signal },
  );
  if (build.code !== 0) throw dockerError('docker buildx build failed', build.stderr);

  const digest = await digestOf(ecr, repositoryName, tag);
  if (!digest) throw dockerError(`the pushed image ${repository.uri}:${tag} is not in ECR`, '');
  return { uri: `${repository.uri}@${digest}`, tag, built: true, repositoryCreated: repository.created };
}

function dockerError(message: string, stderr: string): SentinelError {
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return new SentinelError(ErrorCode.DockerFailed, tail ? `${message}:\n${tail}` : message, {
    hint: 'Check that Docker is running and can build for the target platform (QEMU/binfmt for cross builds)',
  });
}
