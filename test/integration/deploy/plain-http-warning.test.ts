// Without a certificate the full stack serves bearer tokens over plain HTTP: `plan` and `deploy` say
// so once, with the variables to set, and carry it in --json as a warning with its code.
import { CreateChangeSetCommand, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { ndjson, runCliInProcess } from '../../helpers/in-process-cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineDeps } from '../../../src/cli/engine-deps';
import { virtualClock } from '../../../src/deploy/clock';
import { fakePackageRoot, FakeStack, mockAws, SECRET, type MockedAws } from '../../helpers/fake-aws';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/gateway:1.0.0';
const ENV = {
  SENTINEL_API_UPSTREAM_BASE_URL: 'https://api.example.com',
  SENTINEL_API_JWT_SECRET_KEY: SECRET,
  SENTINEL_API_AWS_REGION: 'us-east-1',
};

const cli = (args: string[], env: Record<string, string> = ENV) => runCliInProcess(args, { env });

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

const codes = (warnings: unknown) => (warnings as Array<{ code?: string }>).map((w) => w.code);

describe('the plain-HTTP warning', () => {
  it('plan --json carries it once, as data with its code, for the full stack without a certificate', async () => {
    const run = await cli(['plan', '--dry-run', '--json', '--image-uri', IMAGE]);
    expect(run.code).toBe(0);
    const result = ndjson(run.stdout).at(-1)!;
    expect(codes(result.warnings)).toEqual(['plain-http']);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'plain-http', variable: 'SENTINEL_API_CERTIFICATE_ARN' }),
    ]);
  });

  it('plan says it once in text, and not at all with a certificate or for the foundation', async () => {
    const plain = await cli(['plan', '--dry-run', '--image-uri', IMAGE]);
    expect(plain.stderr.match(/SENTINEL_API_CERTIFICATE_ARN is not set/g)).toHaveLength(1);
    const https = await cli(['plan', '--dry-run', '--json', '--image-uri', IMAGE], {
      ...ENV,
      SENTINEL_API_CERTIFICATE_ARN: CERTIFICATE,
    });
    expect(codes(ndjson(https.stdout).at(-1)!.warnings)).toEqual([]);
    const foundation = await cli(['plan', '--dry-run', '--json', '--mode', 'foundation']);
    expect(codes(ndjson(foundation.stdout).at(-1)!.warnings)).toEqual([]);
  });

  it('deploy says it once: a warning event in --json, a warning line in text', async () => {
    aws.useStack(new FakeStack('SentinelSdkFull').history(['', '', 'UPDATE_COMPLETE']));
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/1', StackId: 'sid' });
    aws.cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'No updates are to be performed.' });
    const json = await cli(['deploy', '--json', '--yes', '--image-uri', IMAGE]);
    const warnings = ndjson(json.stdout).filter((l) => l.event === 'warning');
    expect(warnings).toEqual([expect.objectContaining({ code: 'plain-http' })]);
    const text = await cli(['deploy', '--yes', '--image-uri', IMAGE]);
    expect(text.stderr.match(/SENTINEL_API_CERTIFICATE_ARN is not set/g)).toHaveLength(1);
  });
});
