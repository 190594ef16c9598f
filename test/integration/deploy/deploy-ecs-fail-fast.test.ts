// Full mode, first create: when the gateway's tasks cannot start, the ECS watch fails fast and the
// half-made stack is deleted, so nothing is left behind; the result carries the stopped tasks'
// reasons and the command to try again with another image.
import {
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../../../src/deploy/deploy';
import { exitCodeOf } from '../../../src/deploy/results';
import { change, FakeStack, mockAws, testConfig, testEngine, type MockedAws } from '../../helpers/fake-aws';

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const NAME = 'SentinelSdkFull';
const IMAGE = 'public.ecr.aws/example/gateway:missing';
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/sentinel-cluster/sentinel-gateway';
const PULL_FAILED =
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.ecr.aws/example/gateway:missing: not found';

function scriptFailingCreate(stack: FakeStack) {
  aws.cfn.on(CreateChangeSetCommand).callsFake(() => {
    stack.status = 'REVIEW_IN_PROGRESS';
    return { Id: 'arn:changeset/create-1', StackId: stack.id };
  });
  aws.cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    Changes: [
      change('Add', 'GatewayTaskDefinition', 'AWS::ECS::TaskDefinition'),
      change('Add', 'GatewayService', 'AWS::ECS::Service'),
    ],
  });
  aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    // CloudFormation goes on waiting for the service to stabilise: no further events come.
    stack.queue(
      [['', '', 'CREATE_IN_PROGRESS', 'User Initiated']],
      [['GatewayTaskDefinition', 'AWS::ECS::TaskDefinition', 'CREATE_COMPLETE']],
      [['GatewayService', 'AWS::ECS::Service', 'CREATE_IN_PROGRESS']],
    );
    stack.physicalId('GatewayService', SERVICE_ARN);
    return {};
  });
  aws.cfn.on(DeleteStackCommand).callsFake(() => {
    stack.queue(
      [['', '', 'DELETE_IN_PROGRESS', 'User Initiated']],
      [
        ['GatewayService', 'AWS::ECS::Service', 'DELETE_COMPLETE'],
        ['GatewayTaskDefinition', 'AWS::ECS::TaskDefinition', 'DELETE_COMPLETE'],
      ],
      [['', '', 'DELETE_COMPLETE']],
    );
    return {};
  });
  const started = new Date(Date.UTC(2026, 0, 1, 12, 0, 30));
  aws.ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        runningCount: 0,
        desiredCount: 2,
        deployments: [
          {
            status: 'PRIMARY',
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            createdAt: started,
          },
        ],
        events: [{ id: 'e1', createdAt: started, message: '(service sentinel-gateway) has started 2 tasks' }],
      },
    ],
  });
  aws.ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:task/1', 'arn:task/2'] });
  aws.ecs.on(DescribeTasksCommand).resolves({
    tasks: ['1', '2'].map(() => ({
      stoppedAt: new Date(started.getTime() + 20_000),
      stoppedReason: PULL_FAILED,
      containers: [{ name: 'gateway', reason: undefined }],
    })),
  });
}

describe('deploy: ECS fail-fast during a first create', () => {
  it('deletes the half-made stack and reports the stopped tasks’ reasons and the next command', async () => {
    const stack = new FakeStack(NAME);
    aws.useStack(stack);
    scriptFailingCreate(stack);
    const engine = testEngine();

    const result = await deployStack(
      { mode: 'full', stackName: NAME, config: testConfig({ gatewayImageUri: IMAGE }) },
      engine,
    );

    expect(result.status).toBe('failed');
    expect(exitCodeOf(result)).toBe(1);
    if (result.status !== 'failed') return;
    expect(result).toMatchObject({ deleted: true, stackStatus: 'DELETE_COMPLETE' });
    expect(result.ecsReasons).toEqual([
      'ECS deployment circuit breaker: tasks failed to start.',
      PULL_FAILED,
    ]);
    expect(result.nextSteps).toEqual([
      'sentinel deploy --mode full --stack-name SentinelSdkFull --region us-east-1 --image-uri <an image the tasks can pull and run>',
    ]);
    // Nothing is left behind: the stack is gone (deleted by id, so its events stay readable).
    expect(stack.status).toBe('DELETE_COMPLETE');
    expect(aws.cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input.StackName)).toEqual([
      stack.id,
    ]);
  });
});
