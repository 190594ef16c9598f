// The gateway image: choice precedence, and the build path through a fake `docker` on PATH that
// records its arguments and stdin, against a scripted ECR.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../src/deploy/command-runner';
import { spawnRunner } from '../../../src/deploy/command-runner';
import { createAwsClients } from '../../../src/deploy/aws-clients';
import { deployStack } from '../../../src/deploy/deploy';
import { buildAndPushImage, checkDocker, planImage } from '../../../src/deploy/image';
import { bundlePaths } from '../../../src/deploy/package-root';
import {
  awsError,
  change,
  fakePackageRoot,
  FakeStack,
  mockAws,
  testConfig,
  testEngine,
  type MockedAws,
} from './fake-aws';

/** A `docker` that appends its arguments (and stdin, for login) to a log file, and succeeds. */
function fakeDocker(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const log = join(dir, 'calls.log');
  writeFileSync(
    join(dir, 'docker'),
    `#!/bin/sh
echo "ARGS $*" >> "${log}"
if [ "$1" = "login" ]; then echo "STDIN $(cat)" >> "${log}"; fi
echo "#1 building step"
exit 0
`,
  );
  chmodSync(join(dir, 'docker'), 0o755);
  return { dir, log };
}

/** The real runner, with the fake docker first on PATH. */
function runnerWith(dir: string): CommandRunner {
  return {
    run: (cmd, args, options) =>
      spawnRunner.run(cmd, args, { ...options, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } }),
  };
}

describe('image choice', () => {
  it('explicit URI > build > published <repository>:<version>', () => {
    expect(
      planImage(
        testConfig({ gatewayImageUri: 'my.registry/gw@sha256:abc', buildGatewayImage: true }).values,
        'S',
      ),
    ).toEqual({ source: 'explicit', uri: 'my.registry/gw@sha256:abc' });
    expect(
      planImage(
        testConfig({ buildGatewayImage: true, taskArchitecture: 'x86_64' }).values,
        'SentinelSdkFull',
      ),
    ).toEqual({ source: 'build', repositoryName: 'sentinelsdkfull-gateway', platform: 'linux/amd64' });
    const published = planImage(testConfig().values, 'S');
    expect(published.source).toBe('published');
    expect(published.source === 'published' && published.uri).toMatch(
      /^public\.ecr\.aws\/sentinelapi\/gateway:\d+\.\d+\.\d+/,
    );
  });
});

describe('image build and push', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  const repoUri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentinelsdkfull-gateway';

  it('creates the repository, logs in through stdin, builds for the task architecture, pushes, and pins the digest', async () => {
    const docker = fakeDocker();
    aws.ecr
      .on(DescribeRepositoriesCommand)
      .rejects(awsError('RepositoryNotFoundException', 'The repository does not exist'));
    aws.ecr.on(CreateRepositoryCommand).resolves({ repository: { repositoryUri: repoUri } });
    aws.ecr.on(PutLifecyclePolicyCommand).resolves({});
    aws.ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from('AWS:ecr-password-123').toString('base64') }],
    });
    aws.ecr
      .on(DescribeImagesCommand)
      .rejectsOnce(awsError('ImageNotFoundException', 'not found'))
      .resolves({ imageDetails: [{ imageDigest: 'sha256:0123abcd' }] });
    const lines: string[] = [];
    const root = fakePackageRoot();
    const built = await buildAndPushImage({
      ecr: createAwsClients({ region: 'us-east-1' }).ecr,
      runner: runnerWith(docker.dir),
      repositoryName: 'sentinelsdkfull-gateway',
      platform: 'linux/arm64',
      paths: bundlePaths(root),
      onLine: (l) => lines.push(l),
    });

    expect(built).toMatchObject({ uri: `${repoUri}@sha256:0123abcd`, built: true, repositoryCreated: true });
    expect(built.tag).toMatch(/^sha-[0-9a-f]{32}$/);
    const created = aws.ecr.commandCalls(CreateRepositoryCommand)[0]!.args[0].input;
    expect(created.imageScanningConfiguration).toEqual({ scanOnPush: true });
    expect(created.tags).toContainEqual({ Key: 'sentinel-api:created-by', Value: 'sentinel deploy' });
    expect(
      JSON.parse(aws.ecr.commandCalls(PutLifecyclePolicyCommand)[0]!.args[0].input.lifecyclePolicyText!)
        .rules[0].selection,
    ).toMatchObject({ countType: 'imageCountMoreThan' });

    const log = readFileSync(docker.log, 'utf8').trim().split('\n');
    expect(log[0]).toBe(
      'ARGS login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com',
    );
    expect(log[1]).toBe('STDIN ecr-password-123');
    expect(log[2]).toBe(
      `ARGS buildx build --platform linux/arm64 --file ${join(root, 'runtime', 'Dockerfile')} --tag ${repoUri}:${built.tag} --provenance=false --push ${root}`,
    );
    // The password never appears in an argument list.
    expect(log.filter((l) => l.startsWith('ARGS')).join('\n')).not.toContain('ecr-password-123');
    expect(lines).toContain('#1 building step');
  });

  it('skips the build when ECR already has the content tag', async () => {
    const docker = fakeDocker();
    aws.ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryUri: repoUri }] });
    aws.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: 'sha256:feed' }] });
    const built = await buildAndPushImage({
      ecr: createAwsClients({ region: 'us-east-1' }).ecr,
      runner: runnerWith(docker.dir),
      repositoryName: 'sentinelsdkfull-gateway',
      platform: 'linux/arm64',
      paths: bundlePaths(fakePackageRoot()),
    });
    expect(built).toMatchObject({ uri: `${repoUri}@sha256:feed`, built: false, repositoryCreated: false });
    expect(() => readFileSync(docker.log)).toThrow();
  });

  it('reports a missing docker as a configuration problem (exit 2)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-docker-'));
    const runner: CommandRunner = {
      run: (cmd, args) => spawnRunner.run(cmd, args, { env: { PATH: empty } }),
    };
    await expect(checkDocker(runner)).rejects.toMatchObject({ code: 'ERR_DOCKER_UNAVAILABLE', exitCode: 2 });
  });
});

describe('deploy --build-image (full mode)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('checks docker first, builds and pushes, and deploys the task pinned to the pushed digest', async () => {
    const docker = fakeDocker();
    const stack = new FakeStack('SentinelSdkFull').history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    const repoUri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentinelsdkfull-gateway';
    aws.ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryUri: repoUri }] });
    aws.ecr
      .on(GetAuthorizationTokenCommand)
      .resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:pw').toString('base64') }] });
    aws.ecr
      .on(DescribeImagesCommand)
      .rejectsOnce(awsError('ImageNotFoundException'))
      .resolves({ imageDetails: [{ imageDigest: 'sha256:beef' }] });
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: stack.id });
    aws.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [change('Modify', 'GatewayTaskDefinition', 'AWS::ECS::TaskDefinition', 'True')],
    });
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue([['', '', 'UPDATE_IN_PROGRESS']], [['', '', 'UPDATE_COMPLETE']]);
      return {};
    });
    const engine = { ...testEngine(), runner: runnerWith(docker.dir) };
    const result = await deployStack(
      { mode: 'full', stackName: 'SentinelSdkFull', config: testConfig({ buildGatewayImage: true }) },
      engine,
    );
    expect(result.status).toBe('deployed');
    const parameters = aws.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters!;
    expect(parameters.find((p) => p.ParameterKey === 'GatewayImageUri')?.ParameterValue).toBe(
      `${repoUri}@sha256:beef`,
    );
    const log = readFileSync(docker.log, 'utf8');
    expect(log.split('\n')[0]).toBe('ARGS buildx version');
    expect(log).toContain('ARGS buildx build --platform linux/arm64');
  });
});
