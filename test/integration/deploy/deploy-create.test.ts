// deploy against scripted CloudFormation: a first create, and the change set / execute flow around it.
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../../../src/deploy/deploy';
import { exitCodeOf } from '../../../src/deploy/results';
import {
  change,
  FakeStack,
  mockAws,
  notFound,
  SECRET,
  testConfig,
  testEngine,
  type MockedAws,
} from '../../helpers/fake-aws';

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

function scriptCreate(stack: FakeStack) {
  aws.cfn.on(CreateChangeSetCommand).callsFake(() => {
    stack.status = 'REVIEW_IN_PROGRESS';
    return { Id: 'arn:changeset/create-1', StackId: stack.id };
  });
  aws.cfn
    .on(DescribeChangeSetCommand)
    .resolvesOnce({ Status: 'CREATE_PENDING' })
    .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
    .resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [
        change('Add', 'RequestLogsTable', 'AWS::DynamoDB::Table'),
        change('Add', 'DetectorRole', 'AWS::IAM::Role'),
        change('Add', 'AnomalyDetectorFunction', 'AWS::Lambda::Function'),
      ],
    });
  aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    stack.outputs = { RequestLogsTableName: 'logs-abc', AnomalyDetectorFunctionName: 'detector-abc' };
    stack.queue(
      [['', '', 'CREATE_IN_PROGRESS', 'User Initiated']],
      [
        ['RequestLogsTable', 'AWS::DynamoDB::Table', 'CREATE_IN_PROGRESS'],
        ['DetectorRole', 'AWS::IAM::Role', 'CREATE_IN_PROGRESS'],
      ],
      [],
      [
        ['RequestLogsTable', 'AWS::DynamoDB::Table', 'CREATE_COMPLETE'],
        ['DetectorRole', 'AWS::IAM::Role', 'CREATE_COMPLETE'],
      ],
      [['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'CREATE_IN_PROGRESS']],
      [
        ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'CREATE_COMPLETE'],
        ['', '', 'CREATE_COMPLETE'],
      ],
    );
    return {};
  });
}

describe('deploy: fresh create', () => {
  it('creates the bucket and uploads the detector, creates and executes a CREATE change set, and reports outputs', async () => {
    const stack = new FakeStack('SentinelSdkFoundation');
    aws.useStack(stack);
    aws.s3.on(HeadBucketCommand).rejects(notFound());
    scriptCreate(stack);
    const engine = testEngine();

    const result = await deployStack(
      { mode: 'foundation', stackName: stack.name, config: testConfig() },
      engine,
    );

    expect(result.status).toBe('deployed');
    expect(exitCodeOf(result)).toBe(0);
    if (result.status !== 'deployed') return;
    expect(result.created).toBe(true);
    expect(result.stackStatus).toBe('CREATE_COMPLETE');
    expect(result.outputs.AnomalyDetectorFunctionName).toBe('detector-abc');
    expect(result.account).toBe('123456789012');

    // Assets: the bucket is created (name from account and region), the zip goes under its SHA-256.
    const bucket = aws.s3.commandCalls(CreateBucketCommand)[0]!.args[0].input.Bucket;
    expect(bucket).toBe('sentinelapi-artifacts-123456789012-us-east-1');
    const put = aws.s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put.Key).toMatch(/^anomaly-detector\/[0-9a-f]{64}\.zip$/);
    expect(put.ExpectedBucketOwner).toBe('123456789012');

    // The change set: CREATE type, IAM capability, mode tag, and the secret only as a parameter value.
    const input = aws.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(input.ChangeSetType).toBe('CREATE');
    expect(input.Capabilities).toContain('CAPABILITY_IAM');
    expect(input.Tags).toContainEqual({ Key: 'sentinel-api:mode', Value: 'foundation' });
    expect(input.TemplateBody).not.toContain(SECRET);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);

    // Never a secret in the result or the reported events.
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(engine.events)).not.toContain(SECRET);

    // One resource line per state change, in order, and a final full progress count.
    const lines = engine.events.filter((e) => e.type === 'resource').map((e) => `${e.logicalId} ${e.status}`);
    expect(lines).toEqual([
      'SentinelSdkFoundation CREATE_IN_PROGRESS',
      'RequestLogsTable CREATE_IN_PROGRESS',
      'DetectorRole CREATE_IN_PROGRESS',
      'RequestLogsTable CREATE_COMPLETE',
      'DetectorRole CREATE_COMPLETE',
      'AnomalyDetectorFunction CREATE_IN_PROGRESS',
      'AnomalyDetectorFunction CREATE_COMPLETE',
      'SentinelSdkFoundation CREATE_COMPLETE',
    ]);
    const progress = engine.events.filter((e) => e.type === 'progress').at(-1);
    expect(progress).toMatchObject({ done: 3, total: 3, failed: 0 });
    expect(engine.questions.map((q) => q.kind)).toEqual(['execute']);
    // Polling is paced by the (virtual) clock: 2-3 s between event polls.
    expect(engine.clock.now() - Date.UTC(2026, 0, 1, 12)).toBeGreaterThanOrEqual(6 * 2000);
  });

  it('skips the upload when the artifact is already there', async () => {
    const stack = new FakeStack('SentinelSdkFoundation');
    aws.useStack(stack);
    aws.s3.on(HeadObjectCommand).resolves({ ContentLength: 100 });
    scriptCreate(stack);
    const engine = testEngine();
    const result = await deployStack(
      { mode: 'foundation', stackName: stack.name, config: testConfig() },
      engine,
    );
    expect(result.status).toBe('deployed');
    expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(CreateBucketCommand)).toHaveLength(0);
    expect(engine.events.find((e) => e.type === 'asset')).toMatchObject({
      uploaded: false,
      bucketCreated: false,
    });
  });
});
