// The one AWS error formatter: errors from the SDK clients (scripted with aws-sdk-client-mock, shaped
// as the SDK really throws them) name the call, the status, AWS's code and request id, and a hint;
// `status` shows what it could read and names each read that failed.
import { PassThrough } from 'node:stream';
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run';
import { engineDeps } from '../../../src/cli/engine-deps';
import { uploadIfMissing } from '../../../src/deploy/assets';
import { createAwsClients } from '../../../src/deploy/aws-clients';
import { virtualClock } from '../../../src/deploy/clock';
import { awsFailure, describeAwsError } from '../../../src/deploy/aws-error';
import { ErrorCode } from '../../../core/shared/errors';

const s3 = mockClient(S3Client);
const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const ecr = mockClient(ECRClient);
afterEach(() => {
  ecr.reset();
  s3.reset();
  cfn.reset();
  sts.reset();
});

/** An error as the SDK throws it: a name, a message and the response metadata. */
function sdkError(name: string, message: string, status: number, requestId?: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 },
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('the AWS error formatter', () => {
  it('names the operation, the object and the status of an empty-body 403 from S3 HeadObject', async () => {
    // What the SDK throws for a HEAD answered 403 with no body (HEAD responses carry none).
    s3.on(HeadObjectCommand).rejects(sdkError('Unknown', 'UnknownError', 403, 'REQ403'));
    const clients = createAwsClients({ region: 'us-east-1' });
    const error = await caught(
      uploadIfMissing(
        clients.s3,
        { bucket: 'artifacts-b', key: 'k/1.zip', account: '123' },
        'x',
        'text/plain',
      ),
    );
    const facts = describeAwsError(error);
    expect(facts).toMatchObject({
      service: 'S3',
      operation: 'HeadObject',
      resource: 's3://artifacts-b/k/1.zip',
      httpStatus: 403,
      code: 'UnknownError',
      requestId: 'REQ403',
      kind: 'access-denied',
      missingAction: 's3:GetObject',
    });
    const failure = awsFailure(error);
    expect(failure.code).toBe(ErrorCode.AwsRequestFailed);
    expect(failure.exitCode).toBe(1);
    expect(failure.message).toContain('HeadObject');
    expect(failure.message).toContain('403');
    expect(failure.hint).toContain('s3:GetObject');
  });

  it('reads the missing action from an AccessDenied message, and classifies the common codes', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        sdkError(
          'AccessDenied',
          'User: arn:aws:iam::123:user/ci is not authorized to perform: cloudformation:DescribeStacks on resource: x',
          403,
          'R1',
        ),
      );
    // The client retries throttling and 5xx answers (RETRY_BUDGET); a virtual clock skips the waits.
    const clients = createAwsClients({ region: 'us-east-1', clock: virtualClock() });
    const denied = describeAwsError(await caught(clients.cloudFormation.describeStacks({ StackName: 'S' })));
    expect(denied).toMatchObject({
      kind: 'access-denied',
      missingAction: 'cloudformation:DescribeStacks',
      operation: 'DescribeStacks',
    });

    sts.on(GetCallerIdentityCommand).rejects(sdkError('ExpiredToken', 'The security token has expired', 403));
    const expired = awsFailure(await caught(clients.sts.getCallerIdentity({})));
    expect([expired.code, expired.exitCode]).toEqual([ErrorCode.AwsCredentials, 2]);

    cfn.reset();
    cfn.on(DescribeStacksCommand).rejects(sdkError('Throttling', 'Rate exceeded', 400));
    expect(describeAwsError(await caught(clients.cloudFormation.describeStacks({}))).kind).toBe('throttled');

    cfn.reset();
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(
        new Error('@aws-sdk XML parse error: mismatched tags <p> and </body>.\n  Deserialization error'),
        {
          $metadata: { httpStatusCode: 502 },
        },
      ),
    );
    const html = describeAwsError(await caught(clients.cloudFormation.describeStacks({})));
    expect(html).toMatchObject({ kind: 'not-aws', httpStatus: 502, code: 'UnknownError' });
  });
});

describe('sentinel status degrades', () => {
  it('shows the stack when a secondary read fails, naming the failed call (exit 0)', async () => {
    const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/SentinelSdkFull/1';
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'SentinelSdkFull',
          StackId: stackId,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-12-01T10:00:00Z'),
          Outputs: [{ OutputKey: 'GatewayUrl', OutputValue: 'https://gw.example.com' }],
        },
      ],
    });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn
      .on(ListStackResourcesCommand)
      .rejects(
        sdkError(
          'AccessDenied',
          'User: arn:aws:iam::123:user/ci is not authorized to perform: cloudformation:ListStackResources',
          403,
          'R2',
        ),
      );
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.resume();
    engineDeps.clients = (options) => createAwsClients({ ...options, region: 'us-east-1' });
    try {
      const code = await runCli(['status', '--json'], {
        stdout,
        stderr,
        stdinIsTTY: false,
        env: { AWS_REGION: 'us-east-1' },
      });
      expect(code).toBe(0);
    } finally {
      delete engineDeps.clients;
    }
    const last = JSON.parse(out.trim().split('\n').at(-1)!) as {
      event: string;
      stackStatus: string;
      gatewayUrl: string;
      unavailable: Array<{ call: string; code: string }>;
    };
    expect(last).toMatchObject({
      event: 'result',
      stackStatus: 'UPDATE_COMPLETE',
      gatewayUrl: 'https://gw.example.com',
    });
    expect(last.unavailable).toEqual([
      expect.objectContaining({ call: 'CloudFormation ListStackResources', code: 'AccessDenied' }),
    ]);
  });
});

describe('sentinel teardown degrades', () => {
  it('names a clean-up call that failed and still ends as done (exit 0)', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(sdkError('ValidationError', 'Stack with id SentinelSdkFull does not exist', 400, 'R3'));
    ecr
      .on(DescribeRepositoriesCommand)
      .rejects(
        sdkError(
          'AccessDeniedException',
          'User: arn:aws:iam::123:user/ci is not authorized to perform: ecr:DescribeRepositories',
          400,
          'R4',
        ),
      );
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.resume();
    engineDeps.clients = (options) => createAwsClients({ ...options, region: 'us-east-1' });
    try {
      const code = await runCli(['teardown', '--yes', '--json'], {
        stdout,
        stderr,
        stdinIsTTY: false,
        env: { AWS_REGION: 'us-east-1' },
      });
      expect(code).toBe(0);
    } finally {
      delete engineDeps.clients;
    }
    const last = JSON.parse(out.trim().split('\n').at(-1)!) as {
      event: string;
      status: string;
      notCleaned: Array<{ call: string; code: string }>;
    };
    expect(last).toMatchObject({ event: 'result', status: 'absent' });
    expect(last.notCleaned).toEqual([
      expect.objectContaining({ call: 'ECR DescribeRepositories', code: 'AccessDeniedException' }),
    ]);
  });
});
