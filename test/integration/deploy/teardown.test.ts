// teardown against scripted CloudFormation: absent stacks, clean deletes with leftovers removed,
// termination protection, and DELETE_FAILED handled by clearing, retrying and retaining.
import {
  DeleteStackCommand,
  ListStackResourcesCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ecr';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../src/deploy/results';
import { teardownStack } from '../../../src/deploy/teardown';
import { awsError, FakeStack, mockAws, testEngine, type MockedAws } from '../../helpers/fake-aws';

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
  aws.ecr.on(DescribeRepositoriesCommand).rejects(awsError('RepositoryNotFoundException', 'not found'));
});
afterEach(() => aws.restore());

const NAME = 'SentinelSdkFull';
const teardown = (engine = testEngine(), extra: Partial<Parameters<typeof teardownStack>[0]> = {}) =>
  teardownStack({ mode: 'full', stackName: NAME, ...extra }, engine);

const resources = (status = 'CREATE_COMPLETE', reason?: string) => ({
  StackResourceSummaries: [
    {
      LogicalResourceId: 'AnomalyDetectorFunction',
      PhysicalResourceId: 'SentinelSdkFull-Detector-abc',
      ResourceType: 'AWS::Lambda::Function',
      ResourceStatus: 'CREATE_COMPLETE' as const,
      LastUpdatedTimestamp: new Date(),
    },
    {
      LogicalResourceId: 'GatewaySecurityGroup',
      PhysicalResourceId: 'sg-0123',
      ResourceType: 'AWS::EC2::SecurityGroup',
      ResourceStatus: status as 'CREATE_COMPLETE',
      ResourceStatusReason: reason,
      LastUpdatedTimestamp: new Date(),
    },
  ],
});

describe('teardown', () => {
  it('is a no-op with exit 0 when the stack does not exist', async () => {
    aws.useStack(new FakeStack(NAME));
    const result = await teardown();
    expect(result).toMatchObject({ status: 'absent', cleaned: [] });
    expect(exitCodeOf(result)).toBe(0);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('deletes the stack following its events, then removes the Lambda log group and the ECR repository deploy created', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    aws.cfn.on(ListStackResourcesCommand).resolves(resources());
    aws.cfn.on(DeleteStackCommand).callsFake(() => {
      stack.queue(
        [['', '', 'DELETE_IN_PROGRESS']],
        [['GatewaySecurityGroup', 'AWS::EC2::SecurityGroup', 'DELETE_COMPLETE']],
        [['', '', 'DELETE_COMPLETE']],
      );
      return {};
    });
    aws.ecr.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/sentinelsdkfull-gateway',
          repositoryName: 'sentinelsdkfull-gateway',
        },
      ],
    });
    aws.ecr
      .on(ListTagsForResourceCommand)
      .resolves({ tags: [{ Key: 'sentinel-api:created-by', Value: 'sentinel deploy' }] });
    aws.logs.on(DeleteLogGroupCommand).resolves({});
    const engine = testEngine();
    const result = await teardown(engine);
    expect(result.status).toBe('deleted');
    if (result.status !== 'deleted') return;
    expect(result.cleaned).toEqual([
      'log group /aws/lambda/SentinelSdkFull-Detector-abc',
      'ECR repository sentinelsdkfull-gateway',
    ]);
    expect(aws.ecr.commandCalls(DeleteRepositoryCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'sentinelsdkfull-gateway',
      force: true,
    });
    expect(engine.questions.map((q) => q.kind)).toEqual(['delete']);
    expect(engine.events.some((e) => e.type === 'resource' && e.status === 'DELETE_COMPLETE')).toBe(true);
  });

  it('keeps a repository it did not create, honours --keep-images, and purges the artifacts bucket only when asked', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    aws.cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    aws.cfn.on(DeleteStackCommand).callsFake(() => {
      stack.queue([['', '', 'DELETE_COMPLETE']]);
      return {};
    });
    aws.ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryArn: 'arn:repo' }] });
    aws.ecr.on(ListTagsForResourceCommand).resolves({ tags: [] });
    aws.s3
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'anomaly-detector/a.zip' }] })
      .resolves({ Contents: [] });
    const result = await teardown(testEngine(), { purgeArtifacts: true });
    expect(result).toMatchObject({
      status: 'deleted',
      cleaned: ['artifacts bucket sentinelapi-artifacts-123456789012-us-east-1'],
    });
    expect(aws.ecr.commandCalls(DeleteRepositoryCommand)).toHaveLength(0);
    expect(aws.s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
    expect(aws.s3.commandCalls(DeleteBucketCommand)).toHaveLength(1);
  });

  it('refuses while termination protection is on (exit 3), and turns it off with --force', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    stack.terminationProtection = true;
    aws.useStack(stack);
    const refused = await teardown();
    expect(refused.status).toBe('needs-decision');
    expect(exitCodeOf(refused)).toBe(3);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);

    aws.cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    aws.cfn.on(DeleteStackCommand).callsFake(() => {
      stack.queue([['', '', 'DELETE_COMPLETE']]);
      return {};
    });
    const forced = await teardown(testEngine(), { force: true });
    expect(forced.status).toBe('deleted');
    expect(
      aws.cfn.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input.EnableTerminationProtection,
    ).toBe(false);
  });

  it('does nothing without confirmation', async () => {
    aws.useStack(new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']));
    const result = await teardown(testEngine({ answer: false }));
    expect(result.status).toBe('declined');
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });
});

describe('teardown: DELETE_FAILED', () => {
  const reason = 'resource sg-0123 has a dependent object (Service: Ec2, Status Code: 400)';

  function failingDeletes(stack: FakeStack, succeedOnAttempt: number) {
    let attempt = 0;
    aws.cfn.on(DeleteStackCommand).callsFake(() => {
      attempt += 1;
      if (attempt >= succeedOnAttempt) {
        stack.queue([['', '', 'DELETE_IN_PROGRESS']], [['', '', 'DELETE_COMPLETE']]);
      } else {
        stack.queue(
          [['', '', 'DELETE_IN_PROGRESS']],
          [['GatewaySecurityGroup', 'AWS::EC2::SecurityGroup', 'DELETE_FAILED', reason]],
          [['', '', 'DELETE_FAILED', 'The following resource(s) failed to delete: [GatewaySecurityGroup].']],
        );
      }
      return {};
    });
  }

  it('names the blocker and retries; a retry that passes ends as deleted', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    aws.cfn.on(ListStackResourcesCommand).resolves(resources('DELETE_FAILED', reason));
    failingDeletes(stack, 2);
    const engine = testEngine();
    const result = await teardown(engine);
    expect(result).toMatchObject({ status: 'deleted', retained: [] });
    expect(engine.events.find((e) => e.type === 'root-cause')).toMatchObject({
      failures: [{ logicalId: 'GatewaySecurityGroup', reason }],
    });
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(2);
  });

  it('after two failures, offers to retain the blockers; without consent it needs a decision (exit 3)', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    aws.cfn.on(ListStackResourcesCommand).resolves(resources('DELETE_FAILED', reason));
    failingDeletes(stack, 99);
    const engine = testEngine({ answer: true });
    engine.confirm = async (q) => {
      engine.questions.push(q);
      return q.kind !== 'retain';
    };
    const result = await teardown(engine);
    expect(result.status).toBe('needs-decision');
    expect(exitCodeOf(result)).toBe(3);
    if (result.status !== 'needs-decision') return;
    expect(result.blockers.map((b) => b.logicalId)).toEqual(['GatewaySecurityGroup']);
    expect(result.nextSteps[0]).toContain('--retain-blocking');
    expect(engine.questions.at(-1)).toMatchObject({
      kind: 'retain',
      resources: [{ logicalId: 'GatewaySecurityGroup' }],
    });
  });

  it('with consent retains the blockers so the stack itself is deleted', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    aws.cfn.on(ListStackResourcesCommand).resolves(resources('DELETE_FAILED', reason));
    failingDeletes(stack, 3);
    const result = await teardown(testEngine(), { retainBlocking: true });
    expect(result).toMatchObject({ status: 'deleted', retained: ['GatewaySecurityGroup'] });
    expect(aws.cfn.commandCalls(DeleteStackCommand)[2]!.args[0].input.RetainResources).toEqual([
      'GatewaySecurityGroup',
    ]);
  });
});
