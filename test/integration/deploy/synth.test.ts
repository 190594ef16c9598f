// `sentinel synth` works offline and writes exactly what deploy submits: the same deploy, scripted
// against fake AWS, hands CreateChangeSet (or, over the inline limit, the S3 upload) a template body
// byte-identical to synth's file, and the same parameter values (secrets excepted: never written).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  type CreateChangeSetCommandInput,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { runCliInProcess } from '../../helpers/in-process-cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineDeps } from '../../../src/cli/engine-deps';
import { virtualClock } from '../../../src/deploy/clock';
import { deployStack } from '../../../src/deploy/deploy';
import {
  ACCOUNT,
  fakePackageRoot,
  FakeStack,
  mockAws,
  REGION,
  SECRET,
  testConfig,
  testEngine,
  type MockedAws,
} from '../../helpers/fake-aws';

const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/gateway:1.0.0`;
const ENV = {
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
  SENTINEL_API_JWT_SECRET_KEY: SECRET,
  SENTINEL_API_AWS_REGION: REGION,
};

const cli = (args: string[], cwd?: string) => runCliInProcess(args, { env: ENV, cwd });

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
  engineDeps.clock = virtualClock();
  engineDeps.packageRoot = fakePackageRoot();
  // Deploy's preflight checks that the given ECR image exists.
  aws.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['1.0.0'] }] });
});
afterEach(() => {
  aws.restore();
  delete engineDeps.clock;
  delete engineDeps.clients;
});

/** Runs deploy until its change set (which reports no changes) and returns what it submitted. */
async function submittedByDeploy(mode: 'full' | 'foundation') {
  const name = mode === 'full' ? 'SentinelSdkFull' : 'SentinelSdkFoundation';
  aws.useStack(new FakeStack(name).history(['', '', 'UPDATE_COMPLETE']));
  aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: 'sid' });
  aws.cfn
    .on(DescribeChangeSetCommand)
    .resolves({ Status: 'FAILED', StatusReason: 'No updates are to be performed.' });
  // The engine with the same package root and settings as the CLI run below; its image check accepts.
  const result = await deployStack(
    { mode, stackName: name, config: testConfig({ gatewayImageUri: IMAGE }) },
    testEngine({ root: engineDeps.packageRoot }),
  );
  expect(result.status).toBe('no-changes');
  const input = aws.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input as CreateChangeSetCommandInput;
  let body = input.TemplateBody;
  if (!body) {
    const key = input.TemplateURL!.split('/').slice(3).join('/');
    const upload = aws.s3
      .commandCalls(PutObjectCommand)
      .map((c) => c.args[0].input as PutObjectCommandInput)
      .find((i) => i.Key === key)!;
    body = String(upload.Body);
  }
  return { body, parameters: input.Parameters! };
}

describe('sentinel synth', () => {
  it.each(['full', 'foundation'] as const)(
    '%s: writes the body and parameters deploy submits',
    async (mode) => {
      const submitted = await submittedByDeploy(mode);
      aws.restore();
      // Offline: any AWS client would fail the test.
      engineDeps.clients = () => {
        throw new Error('synth must not create an AWS client');
      };
      const run = await cli([
        'synth',
        '--mode',
        mode,
        '--out',
        'out',
        '--account',
        ACCOUNT,
        '--image-uri',
        IMAGE,
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout.trim()) as { files: { template: string; parameters: string } };
      expect(result.files.template).toBe(
        join(
          run.cwd,
          'out',
          `${mode === 'full' ? 'SentinelSdkFull' : 'SentinelSdkFoundation'}.template.json`,
        ),
      );
      expect(readFileSync(result.files.template, 'utf8')).toBe(submitted.body);

      const written = JSON.parse(readFileSync(result.files.parameters, 'utf8')) as Array<
        Record<string, unknown>
      >;
      const secretKeys = written.filter((p) => p.UsePreviousValue === true).map((p) => p.ParameterKey);
      expect(secretKeys).toEqual(mode === 'full' ? ['JwtSecretKey'] : []);
      expect(written.map((p) => p.ParameterKey)).toEqual(submitted.parameters.map((p) => p.ParameterKey));
      for (const p of submitted.parameters) {
        if (secretKeys.includes(p.ParameterKey)) continue;
        expect(
          written.find((w) => w.ParameterKey === p.ParameterKey),
          p.ParameterKey,
        ).toEqual(p);
      }
      expect(readFileSync(result.files.parameters, 'utf8')).not.toContain(SECRET);
    },
  );

  it('prints the body to stdout without --out, and names the placeholders it had to use', async () => {
    engineDeps.clients = () => {
      throw new Error('synth must not create an AWS client');
    };
    const run = await cli(['synth', '--mode', 'foundation']);
    expect(run.code).toBe(0);
    const template = JSON.parse(run.stdout) as { Resources: Record<string, unknown> };
    expect(Object.keys(template.Resources)).toContain('AnomalyDetectorFunction');
    expect(run.stderr).toContain('--account');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('refuses a malformed --account with exit 2', async () => {
    const run = await cli(['synth', '--account', '12345']);
    expect(run.code).toBe(2);
  });
});
