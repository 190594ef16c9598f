// The gateway image in a deploy: built in Node from a base on a real loopback registry and pushed
// through the registry HTTP API (the same code ECR gets) with only the ECR control plane mocked
// (repository, lifecycle, GetAuthorizationToken, DescribeImages). Also the preflight that stops a
// deploy whose image is missing or of the wrong architecture before any CloudFormation call.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_BASE_IMAGE } from '../../../core/config/knobs/deploy';
import { plan } from '../../../src/deploy/api';
import { createAwsClients } from '../../../src/deploy/aws-clients';
import { parseReference } from '../../../src/image';
import { deployStack } from '../../../src/deploy/deploy';
import { planAgainstStack } from '../../../src/deploy/plan';
import type { DeployEvent } from '../../../src/deploy/events';
import { buildGatewayImage, planImage, pushGatewayImage } from '../../../src/deploy/image';
import { registryImages } from '../../../src/deploy/images';
import { bundlePaths } from '../../../src/deploy/package-root';
import { indexDigestOf, makeTestBaseLayout, pushLayout } from '../../helpers/base-image';
import { registryToolsAvailable, startRegistry, type Registry } from '../../helpers/registry';
import {
  awsError,
  change,
  fakePackageRoot,
  FakeStack,
  mockAws,
  SECRET,
  testConfig,
  testEngine,
  type MockedAws,
} from '../../helpers/fake-aws';

const arch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const otherArch = arch === 'arm64' ? 'x86_64' : 'arm64';
const REPOSITORY = 'sentinelsdkfull-gateway';

function packageRoot(server = 'console.log("gateway");\n'): string {
  const root = fakePackageRoot();
  writeFileSync(join(root, 'dist', 'gateway', 'server.mjs'), server);
  writeFileSync(join(root, 'dist', 'gateway', 'server.mjs.map'), '{"version":3,"sources":[]}');
  return root;
}

describe('image choice', () => {
  it('plan --dry-run names the pinned base digest and the platform, never a published image', async () => {
    const result = await plan(
      { upstreamBaseUrl: 'https://api.example.com', jwtSecretKey: SECRET, awsRegion: 'us-east-1' },
      {
        mode: 'full',
        dryRun: true,
        clients: () => {
          throw new Error('a dry run must not create an AWS client');
        },
        env: {},
        packageRoot: packageRoot(),
      },
    );
    expect(result.image).toMatchObject({
      source: 'build',
      platform: 'linux/arm64',
      base: {
        reference: DEFAULT_GATEWAY_BASE_IMAGE,
        digest: parseReference(DEFAULT_GATEWAY_BASE_IMAGE).digest,
      },
    });
    expect(result.image.pushNeeded).toBeUndefined();
    expect(JSON.stringify(result)).not.toMatch(/published|sentinelapi\/gateway/);
  });

  it('an explicit URI wins; otherwise the image is built for the task architecture on the configured base', () => {
    expect(planImage(testConfig({ gatewayImageUri: 'my.registry/gw@sha256:abc' }).values, 'S')).toEqual({
      source: 'explicit',
      uri: 'my.registry/gw@sha256:abc',
    });
    const built = planImage(testConfig({ taskArchitecture: 'x86_64' }).values, 'SentinelSdkFull');
    expect(built).toMatchObject({
      source: 'build',
      repositoryName: REPOSITORY,
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(built.source === 'build' && built.baseImage).toMatch(
      /^public\.ecr\.aws\/docker\/library\/node:24[^@]*@sha256:[0-9a-f]{64}$/,
    );
  });
});

describe.runIf(registryToolsAvailable())(
  'gateway image on a loopback registry, ECR control plane mocked',
  () => {
    let registry: Registry;
    let proxy: Awaited<ReturnType<Registry['counting']>>;
    let layout: string;
    let base: string;
    let aws: MockedAws;

    beforeAll(async () => {
      registry = await startRegistry();
      proxy = await registry.counting();
      layout = await makeTestBaseLayout();
      pushLayout(layout, `${registry.host}/library/node:test`);
      base = `${registry.host}/library/node@${indexDigestOf(layout)}`;
    }, 120_000);
    afterAll(async () => {
      await registry?.stop();
      if (layout) rmSync(layout, { recursive: true, force: true });
    });
    beforeEach(() => {
      aws = mockAws();
      proxy.reset();
    });
    afterEach(() => aws.restore());

    /** ECR as a real account answers, with the repository living on the loopback registry (via the proxy). */
    function ecrRepository({ exists }: { exists: boolean }) {
      const repositoryUri = `${proxy.host}/${REPOSITORY}`;
      if (exists)
        aws.ecr
          .on(DescribeRepositoriesCommand)
          .resolves({ repositories: [{ repositoryName: REPOSITORY, repositoryUri }] });
      aws.ecr.on(CreateRepositoryCommand).resolves({
        repository: {
          repositoryName: REPOSITORY,
          repositoryUri,
          registryId: '123456789012',
          imageTagMutability: 'MUTABLE',
        },
      });
      aws.ecr
        .on(PutLifecyclePolicyCommand)
        .resolves({ repositoryName: REPOSITORY, registryId: '123456789012' });
      aws.ecr.on(GetAuthorizationTokenCommand).resolves({
        authorizationData: [
          {
            authorizationToken: Buffer.from('AWS:ecr-password-123').toString('base64'),
            expiresAt: new Date(Date.now() + 12 * 3600_000),
            proxyEndpoint: `http://${proxy.host}`,
          },
        ],
      });
    }

    const config = (extra: Record<string, unknown> = {}) =>
      testConfig({ gatewayBaseImage: base, taskArchitecture: arch, ...extra }).values;
    const ecr = () => createAwsClients({ region: 'us-east-1' }).ecr;
    const uploaded = () =>
      proxy.requests.filter((r) => r.method === 'PATCH').reduce((n, r) => n + r.bytes, 0);

    it('creates the repository, streams every blob up, pins by digest; an unchanged push sends no blob byte', async () => {
      ecrRepository({ exists: false });
      const root = packageRoot();
      const image = await buildGatewayImage(config(), bundlePaths(root));
      const progress: number[] = [];
      const pushed = await pushGatewayImage({
        ecr: ecr(),
        repositoryName: REPOSITORY,
        image,
        onProgress: (p) => progress.push(p.bytes),
      });

      expect(pushed.uri).toBe(`${proxy.host}/${REPOSITORY}@${image.manifest.digest}`);
      expect(pushed.push).toMatchObject({ unchanged: false, uploadedBlobs: image.blobs.length });
      expect(aws.ecr.commandCalls(CreateRepositoryCommand)[0]!.args[0].input.tags).toContainEqual({
        Key: 'sentinel-api:created-by',
        Value: 'sentinel deploy',
      });
      const total = image.blobs.reduce((n, b) => n + b.descriptor.size, 0);
      expect(uploaded()).toBe(total);
      expect(progress.at(-1)).toBeGreaterThan(0);
      // The registry stored what an independent client reads back, under the content tag.
      // Asynchronously: the proxy skopeo talks to runs on this process's event loop.
      const { stdout } = await promisify(execFile)('skopeo', [
        'inspect',
        '--tls-verify=false',
        `docker://${proxy.host}/${REPOSITORY}:${image.tag}`,
      ]);
      const inspected = JSON.parse(stdout) as { Digest: string; Architecture: string };
      expect(inspected).toMatchObject({
        Digest: image.manifest.digest,
        Architecture: arch === 'arm64' ? 'arm64' : 'amd64',
      });

      // Unchanged gateway and base: one manifest HEAD, no upload at all.
      proxy.reset();
      const again = await pushGatewayImage({
        ecr: ecr(),
        repositoryName: REPOSITORY,
        image: await buildGatewayImage(config(), bundlePaths(root)),
      });
      expect(again.push).toMatchObject({ unchanged: true, uploadedBytes: 0 });
      expect(again.uri).toBe(pushed.uri);
      expect(uploaded()).toBe(0);
      expect(proxy.requests.map((r) => r.method)).toEqual(['HEAD']);

      // A new bundle on the same base: only its layer and config go up; the base layers are skipped.
      proxy.reset();
      const changed = await buildGatewayImage(config(), bundlePaths(packageRoot('console.log("v2");\n')));
      const third = await pushGatewayImage({ ecr: ecr(), repositoryName: REPOSITORY, image: changed });
      expect(third.tag).not.toBe(image.tag);
      expect(third.push).toMatchObject({ uploadedBlobs: 2, skippedBlobs: changed.blobs.length - 2 });
      expect(uploaded()).toBe(changed.config.bytes.length + changed.layer.size);
    }, 120_000);

    it('deploy builds, pushes with progress events, and deploys the task pinned to the pushed digest', async () => {
      ecrRepository({ exists: true });
      const stack = new FakeStack('SentinelSdkFull').history(['', '', 'CREATE_COMPLETE']);
      aws.useStack(stack);
      aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: stack.id });
      aws.cfn.on(DescribeChangeSetCommand).resolves({
        Status: 'CREATE_COMPLETE',
        Changes: [change('Modify', 'GatewayTaskDefinition', 'AWS::ECS::TaskDefinition', 'True')],
      });
      aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
        stack.queue([['', '', 'UPDATE_IN_PROGRESS']], [['', '', 'UPDATE_COMPLETE']]);
        return {};
      });
      const engine = testEngine({ root: packageRoot('console.log("deployed");\n'), images: registryImages });
      const result = await deployStack(
        {
          mode: 'full',
          stackName: 'SentinelSdkFull',
          config: testConfig({ gatewayBaseImage: base, taskArchitecture: arch }),
        },
        engine,
      );
      expect(result.status).toBe('deployed');
      const image = engine.events.find(
        (e): e is Extract<DeployEvent, { type: 'image' }> => e.type === 'image',
      );
      expect(image).toMatchObject({ source: 'build', built: true, base });
      expect(image!.uri).toMatch(new RegExp(`^${proxy.host}/${REPOSITORY}@sha256:[0-9a-f]{64}$`));
      const parameters = aws.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters!;
      expect(parameters.find((p) => p.ParameterKey === 'GatewayImageUri')?.ParameterValue).toBe(image!.uri);
      const uploads = engine.events.filter(
        (e): e is Extract<DeployEvent, { type: 'image-upload' }> => e.type === 'image-upload',
      );
      expect(uploads.filter((u) => u.done).map((u) => u.bytes)).toEqual(
        uploads.filter((u) => u.done).map((u) => u.total),
      );
    }, 120_000);

    it('an online plan resolves the base and says whether a push is needed', async () => {
      const planned = async (inEcr: boolean) => {
        aws.restore();
        aws = mockAws();
        const stack = new FakeStack('SentinelSdkFull');
        aws.useStack(stack);
        aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/plan', StackId: stack.id });
        aws.cfn.on(DescribeChangeSetCommand).resolves({
          Status: 'CREATE_COMPLETE',
          Changes: [change('Add', 'GatewayService', 'AWS::ECS::Service')],
        });
        if (inEcr)
          aws.ecr.on(DescribeImagesCommand).callsFake((input: { imageIds: Array<{ imageTag: string }> }) => ({
            imageDetails: [
              { imageDigest: `sha256:${'c'.repeat(64)}`, imageTags: [input.imageIds[0]!.imageTag] },
            ],
          }));
        else
          aws.ecr
            .on(DescribeImagesCommand)
            .rejects(
              awsError(
                'ImageNotFoundException',
                'The image requested does not exist in the specified repository.',
              ),
            );
        return planAgainstStack(
          {
            mode: 'full',
            stackName: 'SentinelSdkFull',
            config: testConfig({ gatewayBaseImage: base, taskArchitecture: arch }),
          },
          testEngine({ root: packageRoot(), images: registryImages }),
        );
      };
      const missing = await planned(false);
      expect(missing.image).toMatchObject({
        source: 'build',
        base: { reference: base, digest: indexDigestOf(layout) },
        pushNeeded: true,
        tag: expect.stringMatching(/^sha-[0-9a-f]{32}$/),
      });
      const present = await planned(true);
      expect(present.image).toMatchObject({ pushNeeded: false, tag: missing.image.tag });
      expect(aws.ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toMatchObject({
        repositoryName: REPOSITORY,
        imageIds: [{ imageTag: missing.image.tag }],
      });
    }, 60_000);

    describe('preflight: an image that cannot run fails before any CloudFormation call', () => {
      const deploy = (values: Record<string, unknown>) =>
        deployStack(
          {
            mode: 'full',
            stackName: 'SentinelSdkFull',
            config: testConfig({ taskArchitecture: arch, ...values }),
          },
          testEngine({ root: packageRoot(), images: registryImages }),
        );

      it('a private ECR image that does not exist (DescribeImages)', async () => {
        aws.ecr
          .on(DescribeImagesCommand)
          .rejects(
            awsError(
              'ImageNotFoundException',
              "The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name 'gw' in the registry with id '123456789012'",
            ),
          );
        await expect(
          deploy({ gatewayImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/gw:v9' }),
        ).rejects.toMatchObject({ code: 'ERR_IMAGE_NOT_FOUND', exitCode: 2 });
        expect(aws.ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toMatchObject({
          registryId: '123456789012',
          repositoryName: 'gw',
          imageIds: [{ imageTag: 'v9' }],
        });
        expect(aws.cfn.calls()).toHaveLength(0);
      });

      it('an --image-uri on a registry that lacks it (manifest HEAD)', async () => {
        await expect(
          deploy({ gatewayImageUri: `${registry.host}/library/node:missing` }),
        ).rejects.toMatchObject({
          code: 'ERR_IMAGE_NOT_FOUND',
          exitCode: 2,
        });
        expect(aws.cfn.calls()).toHaveLength(0);
      });

      it('an --image-uri without the task architecture', async () => {
        await expect(
          deploy({ gatewayImageUri: `${registry.host}/library/node:test`, taskArchitecture: otherArch }),
        ).rejects.toMatchObject({ code: 'ERR_IMAGE_PLATFORM_MISSING', exitCode: 2 });
        expect(aws.cfn.calls()).toHaveLength(0);
      });

      it('an --image-uri that exists with the architecture passes', async () => {
        const check = await registryImages.check(`${registry.host}/library/node:test`, arch, {
          ecr: ecr(),
          region: 'us-east-1',
        });
        expect(check.platform).toBe(arch === 'arm64' ? 'linux/arm64' : 'linux/amd64');
      });

      it('a base image that does not exist', async () => {
        await expect(
          deploy({ gatewayBaseImage: `${registry.host}/library/node:nope` }),
        ).rejects.toMatchObject({
          code: 'ERR_IMAGE_NOT_FOUND',
          exitCode: 2,
        });
        expect(aws.cfn.calls()).toHaveLength(0);
      });
    });
  },
);
