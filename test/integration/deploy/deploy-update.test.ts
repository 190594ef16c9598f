// deploy against an existing stack: updates, no-ops, refusals, failures with rollback, busy stacks,
// throttling, timeouts and the ECS circuit breaker.
import {
  CancelUpdateStackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../../../src/deploy/deploy';
import { exitCodeOf } from '../../../src/deploy/results';
import {
  change,
  FakeStack,
  mockAws,
  testConfig,
  testEngine,
  throttled,
  type EventSpec,
  type MockedAws,
} from '../../helpers/fake-aws';

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const FOUNDATION = 'SentinelSdkFoundation';

function existing(status = 'CREATE_COMPLETE') {
  const stack = new FakeStack(FOUNDATION).history(['', '', 'CREATE_IN_PROGRESS'], ['', '', status]);
  stack.outputs = { BlocklistTableName: 'blocks-1' };
  aws.useStack(stack);
  return stack;
}

function changeSet(changes: ReturnType<typeof change>[]) {
  aws.cfn.on(CreateChangeSetCommand).callsFake((input: { StackName: string }) => ({
    Id: 'arn:changeset/upd-1',
    StackId: `stack-id-of-${input.StackName}`,
  }));
  aws.cfn
    .on(DescribeChangeSetCommand)
    .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
    .resolves({ Status: 'CREATE_COMPLETE', Changes: changes });
}

function onExecute(stack: FakeStack, ...batches: EventSpec[][]) {
  aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    stack.queue(...batches);
    return {};
  });
}

const run = (engine = testEngine(), extra: Partial<Parameters<typeof deployStack>[0]> = {}) =>
  deployStack({ mode: 'foundation', stackName: FOUNDATION, config: testConfig(), ...extra }, engine);

describe('deploy: update', () => {
  it('updates with changes and reports them as rows, flagging security-relevant ones', async () => {
    const stack = existing();
    changeSet([
      change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False'),
      change('Modify', 'DetectorRole', 'AWS::IAM::Role', 'False'),
    ]);
    onExecute(
      stack,
      [['', '', 'UPDATE_IN_PROGRESS']],
      [
        ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'],
        ['DetectorRole', 'AWS::IAM::Role', 'UPDATE_IN_PROGRESS'],
      ],
      [
        ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'],
        ['DetectorRole', 'AWS::IAM::Role', 'UPDATE_COMPLETE'],
      ],
      [['', '', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS']],
      [['', '', 'UPDATE_COMPLETE']],
    );
    const engine = testEngine();
    const result = await run(engine);
    expect(result).toMatchObject({ status: 'deployed', created: false, stackStatus: 'UPDATE_COMPLETE' });
    expect(aws.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).toBe('UPDATE');
    const changes = engine.events.find((e) => e.type === 'changes');
    expect(changes).toMatchObject({
      rows: [
        { logicalId: 'AnomalyDetectorFunction', security: false },
        { logicalId: 'DetectorRole', security: true },
      ],
      destructive: [],
    });
    // Only events of this operation are reported, not the stack's history.
    const first = engine.events.find((e) => e.type === 'resource');
    expect(first).toMatchObject({ status: 'UPDATE_IN_PROGRESS' });
  });

  it('reports no changes as success (exit 0) and deletes the empty change set', async () => {
    existing('UPDATE_COMPLETE');
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:changeset/noop', StackId: 'sid' });
    aws.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    const result = await run();
    expect(result).toMatchObject({
      status: 'no-changes',
      stackStatus: 'UPDATE_COMPLETE',
      outputs: { BlocklistTableName: 'blocks-1' },
    });
    expect(exitCodeOf(result)).toBe(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('refuses to replace a stateful resource unless allowed, naming it and what would be lost', async () => {
    existing();
    changeSet([change('Modify', 'BlocklistTable', 'AWS::DynamoDB::Table', 'True')]);
    const result = await run();
    expect(result.status).toBe('refused');
    expect(exitCodeOf(result)).toBe(3);
    if (result.status !== 'refused') return;
    expect(result.destructive).toMatchObject([
      { logicalId: 'BlocklistTable', resourceType: 'AWS::DynamoDB::Table', replacement: 'yes' },
    ]);
    expect(result.destructive[0]!.loss).not.toBe('');
    expect(result.nextSteps).toEqual([
      'sentinel deploy --mode foundation --stack-name SentinelSdkFoundation --region us-east-1 --allow-replace',
    ]);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('goes ahead with the replacement when --allow-replace is given', async () => {
    const stack = existing();
    changeSet([change('Modify', 'BlocklistTable', 'AWS::DynamoDB::Table', 'True')]);
    onExecute(
      stack,
      [['', '', 'UPDATE_IN_PROGRESS']],
      [
        ['BlocklistTable', 'AWS::DynamoDB::Table', 'UPDATE_COMPLETE'],
        ['', '', 'UPDATE_COMPLETE'],
      ],
    );
    const result = await run(testEngine(), { allowReplace: true });
    expect(result.status).toBe('deployed');
  });

  it('stops after creating the change set with --no-execute', async () => {
    existing();
    changeSet([change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')]);
    const result = await run(testEngine(), { execute: false });
    expect(result).toMatchObject({ status: 'change-set-created', changeSetId: 'arn:changeset/upd-1' });
    expect(exitCodeOf(result)).toBe(0);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('does nothing when the changes are not confirmed (exit 3), and cleans up the change set', async () => {
    existing();
    changeSet([change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')]);
    const result = await run(testEngine({ answer: false }));
    expect(result.status).toBe('declined');
    expect(exitCodeOf(result)).toBe(3);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('reports an update failure and its rollback with the root cause first (exit 1)', async () => {
    const stack = existing();
    changeSet([
      change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False'),
      change('Add', 'AlertSubscription', 'AWS::SNS::Subscription'),
    ]);
    onExecute(
      stack,
      [['', '', 'UPDATE_IN_PROGRESS']],
      [
        ['AlertSubscription', 'AWS::SNS::Subscription', 'CREATE_IN_PROGRESS'],
        ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_IN_PROGRESS'],
      ],
      [['AlertSubscription', 'AWS::SNS::Subscription', 'CREATE_FAILED', 'Invalid parameter: Email address']],
      [['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', 'Resource update cancelled']],
      [
        [
          '',
          '',
          'UPDATE_ROLLBACK_IN_PROGRESS',
          'The following resource(s) failed to create: [AlertSubscription].',
        ],
      ],
      [
        ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'],
        ['AlertSubscription', 'AWS::SNS::Subscription', 'DELETE_COMPLETE'],
      ],
      [['', '', 'UPDATE_ROLLBACK_COMPLETE']],
    );
    const result = await run();
    expect(result.status).toBe('failed');
    expect(exitCodeOf(result)).toBe(1);
    if (result.status !== 'failed') return;
    expect(result.rolledBack).toBe(true);
    expect(result.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.rootCause).toEqual([
      expect.objectContaining({ logicalId: 'AlertSubscription', reason: 'Invalid parameter: Email address' }),
    ]);
  });

  it('attaches to an operation already in progress, follows it, then deploys', async () => {
    const stack = new FakeStack(FOUNDATION).history(
      ['', '', 'CREATE_COMPLETE'],
      ['', '', 'UPDATE_IN_PROGRESS'],
      ['BlocklistTable', 'AWS::DynamoDB::Table', 'UPDATE_IN_PROGRESS'],
    );
    stack.queue(
      [['BlocklistTable', 'AWS::DynamoDB::Table', 'UPDATE_COMPLETE']],
      [],
      [['', '', 'UPDATE_COMPLETE']],
    );
    aws.useStack(stack);
    changeSet([change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')]);
    onExecute(
      stack,
      [['', '', 'UPDATE_IN_PROGRESS']],
      [
        ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE'],
        ['', '', 'UPDATE_COMPLETE'],
      ],
    );
    const engine = testEngine();
    const result = await run(engine);
    expect(result.status).toBe('deployed');
    const steps = engine.events.filter((e) => e.type === 'step').map((e) => e.step);
    expect(steps.indexOf('recovery')).toBeLessThan(steps.indexOf('change-set'));
    expect(
      engine.events.some(
        (e) => e.type === 'resource' && e.logicalId === 'BlocklistTable' && e.status === 'UPDATE_COMPLETE',
      ),
    ).toBe(true);
  });

  it('retries throttled polls with backoff and still completes', async () => {
    const stack = existing();
    changeSet([change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')]);
    onExecute(
      stack,
      [['', '', 'UPDATE_IN_PROGRESS']],
      [['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE']],
      [['', '', 'UPDATE_COMPLETE']],
    );
    // Every third DescribeStackEvents call is throttled, from the moment execution starts.
    let calls = 0;
    const original = stack.describeStackEvents.bind(stack);
    stack.describeStackEvents = (input) => {
      calls += 1;
      if (calls > 2 && calls % 3 === 0) throw throttled();
      return original(input);
    };
    const engine = testEngine();
    const result = await run(engine);
    expect(result.status).toBe('deployed');
    expect(engine.events.some((e) => e.type === 'throttled')).toBe(true);
  });

  it('times out with exit 4 and the command to follow the stack', async () => {
    const stack = existing();
    changeSet([change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')]);
    onExecute(stack, [['', '', 'UPDATE_IN_PROGRESS']]);
    const result = await run(testEngine(), { timeoutMs: 60_000 });
    expect(result.status).toBe('timed-out');
    expect(exitCodeOf(result)).toBe(4);
    if (result.status !== 'timed-out') return;
    expect(result.nextSteps).toEqual([
      'sentinel status --stack-name SentinelSdkFoundation --region us-east-1 --follow',
    ]);
  });
});

describe('deploy: full mode ECS circuit breaker', () => {
  it('fails fast with the stopped tasks’ reasons and cancels the update', async () => {
    const stack = new FakeStack('SentinelSdkFull').history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    changeSet([change('Modify', 'GatewayService', 'AWS::ECS::Service', 'False')]);
    const serviceArn = 'arn:aws:ecs:us-east-1:123456789012:service/sentinel-cluster/sentinel-gateway';
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue(
        [['', '', 'UPDATE_IN_PROGRESS']],
        [['GatewayService', 'AWS::ECS::Service', 'UPDATE_IN_PROGRESS']],
      );
      stack.physicalId('GatewayService', serviceArn);
      return {};
    });
    const later = new Date(Date.UTC(2026, 0, 1, 12, 5));
    aws.ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          runningCount: 0,
          desiredCount: 1,
          deployments: [
            { status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: later },
            {
              status: 'ACTIVE',
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
              createdAt: later,
            },
          ],
          events: [{ id: 'e1', createdAt: later, message: '(service sentinel-gateway) has started 1 tasks' }],
        },
      ],
    });
    aws.ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:task/1'] });
    aws.cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'GatewayLogGroup',
          PhysicalResourceId: 'SentinelSdkFull-GatewayLogGroup-abc',
          ResourceType: 'AWS::Logs::LogGroup',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    aws.ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          stoppedAt: later,
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'gateway', exitCode: 1, reason: undefined }],
        },
      ],
    });
    const engine = testEngine();
    const result = await deployStack(
      {
        mode: 'full',
        stackName: 'SentinelSdkFull',
        config: testConfig({ gatewayImageUri: 'public.ecr.aws/x/gateway:1' }),
      },
      engine,
    );
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.ecsReasons).toEqual([
      'ECS deployment circuit breaker: tasks failed to start.',
      'Essential container in task exited; gateway: exited with code 1',
    ]);
    expect(aws.cfn.commandCalls(CancelUpdateStackCommand)).toHaveLength(1);
    expect(result.nextSteps).toContain(
      'aws logs tail SentinelSdkFull-GatewayLogGroup-abc --since 1h --region us-east-1',
    );
    expect(engine.events.some((e) => e.type === 'ecs' && /started 1 tasks/.test(e.message))).toBe(true);
  });
});
