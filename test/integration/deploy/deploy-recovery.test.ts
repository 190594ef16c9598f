// Recovery the user should never do by hand: a failed first create (ROLLBACK_COMPLETE) is shown and
// recreated, a failed rollback needs --recover, and Ctrl-C cancels, deletes or detaches.
import {
  CancelUpdateStackCommand,
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../../../src/deploy/deploy';
import { exitCodeOf } from '../../../src/deploy/results';
import {
  awsError,
  change,
  FakeStack,
  mockAws,
  testConfig,
  testEngine,
  type MockedAws,
} from '../../helpers/fake-aws';

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const NAME = 'SentinelSdkFoundation';
const deploy = (engine = testEngine(), extra: Partial<Parameters<typeof deployStack>[0]> = {}) =>
  deployStack({ mode: 'foundation', stackName: NAME, config: testConfig(), ...extra }, engine);

function createChangeSet(stack: FakeStack) {
  aws.cfn.on(CreateChangeSetCommand).callsFake(() => {
    if (stack.status === undefined || stack.status === 'DELETE_COMPLETE') stack.status = 'REVIEW_IN_PROGRESS';
    return { Id: 'arn:changeset/1', StackId: stack.id };
  });
  aws.cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    Changes: [
      change('Add', 'BlocklistTable', 'AWS::DynamoDB::Table'),
      change('Add', 'AlertTopic', 'AWS::SNS::Topic'),
    ],
  });
}

describe('deploy: a first create that fails', () => {
  it('rolls back (exit 1) with the root cause, then the next deploy deletes and recreates the stack', async () => {
    const stack = new FakeStack(NAME);
    aws.useStack(stack);
    createChangeSet(stack);
    aws.cfn.on(ExecuteChangeSetCommand).callsFakeOnce(() => {
      stack.queue(
        [['', '', 'CREATE_IN_PROGRESS', 'User Initiated']],
        [
          ['BlocklistTable', 'AWS::DynamoDB::Table', 'CREATE_IN_PROGRESS'],
          ['AlertTopic', 'AWS::SNS::Topic', 'CREATE_IN_PROGRESS'],
        ],
        [
          [
            'AlertTopic',
            'AWS::SNS::Topic',
            'CREATE_FAILED',
            'Resource handler returned message: "Access Denied for sns:CreateTopic"',
          ],
        ],
        [['BlocklistTable', 'AWS::DynamoDB::Table', 'CREATE_FAILED', 'Resource creation cancelled']],
        [
          [
            '',
            '',
            'ROLLBACK_IN_PROGRESS',
            'The following resource(s) failed to create: [AlertTopic, BlocklistTable]. Rollback requested by user.',
          ],
        ],
        [
          ['BlocklistTable', 'AWS::DynamoDB::Table', 'DELETE_COMPLETE'],
          ['AlertTopic', 'AWS::SNS::Topic', 'DELETE_COMPLETE'],
        ],
        [['', '', 'ROLLBACK_COMPLETE']],
      );
      return {};
    });

    const first = await deploy();
    expect(first.status).toBe('failed');
    expect(exitCodeOf(first)).toBe(1);
    if (first.status !== 'failed') return;
    expect(first.stackStatus).toBe('ROLLBACK_COMPLETE');
    expect(first.rootCause.map((f) => f.logicalId)).toEqual(['AlertTopic']);
    expect(first.nextSteps).toEqual([
      'sentinel deploy --mode foundation --stack-name SentinelSdkFoundation --region us-east-1',
    ]);

    // Second run: shows the earlier root cause, asks, deletes the dead stack, creates anew.
    aws.cfn.on(DeleteStackCommand).callsFake(() => {
      stack.queue([['', '', 'DELETE_IN_PROGRESS']], [['', '', 'DELETE_COMPLETE']]);
      return {};
    });
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue(
        [['', '', 'CREATE_IN_PROGRESS']],
        [
          ['BlocklistTable', 'AWS::DynamoDB::Table', 'CREATE_COMPLETE'],
          ['AlertTopic', 'AWS::SNS::Topic', 'CREATE_COMPLETE'],
        ],
        [['', '', 'CREATE_COMPLETE']],
      );
      return {};
    });
    const engine = testEngine();
    const second = await deploy(engine);
    expect(second.status).toBe('deployed');
    expect(engine.questions.map((q) => q.kind)).toEqual(['recreate', 'execute']);
    const shown = engine.events.find((e) => e.type === 'root-cause');
    expect(shown).toMatchObject({ failures: [{ logicalId: 'AlertTopic' }] });
    expect(aws.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.StackName).toBe(stack.id);
    expect(aws.cfn.commandCalls(CreateChangeSetCommand).at(-1)!.args[0].input.ChangeSetType).toBe('CREATE');
  });

  it('does not delete a ROLLBACK_COMPLETE stack without confirmation (exit 3)', async () => {
    const stack = new FakeStack(NAME).history(
      ['', '', 'CREATE_IN_PROGRESS'],
      ['AlertTopic', 'AWS::SNS::Topic', 'CREATE_FAILED', 'boom'],
      ['', '', 'ROLLBACK_COMPLETE'],
    );
    aws.useStack(stack);
    const result = await deploy(testEngine({ answer: false }));
    expect(result.status).toBe('declined');
    expect(exitCodeOf(result)).toBe(3);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });
});

describe('deploy: UPDATE_ROLLBACK_FAILED', () => {
  const broken = () =>
    new FakeStack(NAME).history(
      ['', '', 'UPDATE_IN_PROGRESS'],
      ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', 'Function not found'],
      ['', '', 'UPDATE_ROLLBACK_IN_PROGRESS'],
      ['', '', 'UPDATE_ROLLBACK_FAILED'],
    );

  it('needs a decision (exit 3) and names --recover', async () => {
    aws.useStack(broken());
    const result = await deploy();
    expect(result.status).toBe('needs-decision');
    expect(exitCodeOf(result)).toBe(3);
    if (result.status !== 'needs-decision') return;
    expect(result.nextSteps).toEqual([
      'sentinel deploy --mode foundation --stack-name SentinelSdkFoundation --region us-east-1 --recover',
    ]);
    expect(result.rootCause?.[0]).toMatchObject({
      logicalId: 'AnomalyDetectorFunction',
      reason: 'Function not found',
    });
  });

  it('with --recover continues the rollback, skipping what cannot roll back, then deploys', async () => {
    const stack = broken();
    aws.useStack(stack);
    aws.cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'AnomalyDetectorFunction',
          ResourceType: 'AWS::Lambda::Function',
          ResourceStatus: 'UPDATE_FAILED',
          LastUpdatedTimestamp: new Date(),
        },
        {
          LogicalResourceId: 'BlocklistTable',
          ResourceType: 'AWS::DynamoDB::Table',
          ResourceStatus: 'UPDATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    aws.cfn.on(ContinueUpdateRollbackCommand).callsFake(() => {
      stack.queue([['', '', 'UPDATE_ROLLBACK_IN_PROGRESS']], [['', '', 'UPDATE_ROLLBACK_COMPLETE']]);
      return {};
    });
    createChangeSet(stack);
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue([['', '', 'UPDATE_IN_PROGRESS']], [['', '', 'UPDATE_COMPLETE']]);
      return {};
    });
    const engine = testEngine();
    const result = await deploy(engine, { recover: true });
    expect(result.status).toBe('deployed');
    expect(aws.cfn.commandCalls(ContinueUpdateRollbackCommand)[0]!.args[0].input.ResourcesToSkip).toEqual([
      'AnomalyDetectorFunction',
    ]);
    expect(
      engine.events.some((e) => e.type === 'warning' && e.message.includes('AnomalyDetectorFunction')),
    ).toBe(true);
  });
});

describe('deploy: --recover under throttling', () => {
  it('retries every read recovery makes and still recovers and deploys', async () => {
    const stack = new FakeStack(NAME).history(
      ['', '', 'UPDATE_IN_PROGRESS'],
      ['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_FAILED', 'Function not found'],
      ['', '', 'UPDATE_ROLLBACK_IN_PROGRESS'],
      ['', '', 'UPDATE_ROLLBACK_FAILED'],
    );
    aws.useStack(stack);
    // CloudFormation throttles the first two attempts of each recovery read.
    const rateExceeded = () => awsError('ThrottlingException', 'Rate exceeded');
    const original = stack.describeStackEvents.bind(stack);
    let eventReads = 0;
    stack.describeStackEvents = (input) => {
      eventReads += 1;
      if (eventReads <= 2) throw rateExceeded();
      return original(input);
    };
    aws.cfn
      .on(ListStackResourcesCommand)
      .rejectsOnce(rateExceeded())
      .rejectsOnce(rateExceeded())
      .resolves({
        StackResourceSummaries: [
          {
            LogicalResourceId: 'AnomalyDetectorFunction',
            ResourceType: 'AWS::Lambda::Function',
            ResourceStatus: 'UPDATE_FAILED',
            LastUpdatedTimestamp: new Date(),
          },
        ],
      });
    aws.cfn.on(ContinueUpdateRollbackCommand).callsFake(() => {
      stack.queue([['', '', 'UPDATE_ROLLBACK_IN_PROGRESS']], [['', '', 'UPDATE_ROLLBACK_COMPLETE']]);
      return {};
    });
    createChangeSet(stack);
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue([['', '', 'UPDATE_IN_PROGRESS']], [['', '', 'UPDATE_COMPLETE']]);
      return {};
    });
    const engine = testEngine();

    const result = await deploy(engine, { recover: true });

    expect(result.status).toBe('deployed');
    expect(aws.cfn.commandCalls(ListStackResourcesCommand)).toHaveLength(3);
    expect(aws.cfn.commandCalls(ContinueUpdateRollbackCommand)[0]!.args[0].input.ResourcesToSkip).toEqual([
      'AnomalyDetectorFunction',
    ]);
    const throttled = engine.events.flatMap((e) => (e.type === 'throttled' ? [e.what] : []));
    expect(throttled).toEqual([
      'CloudFormation.describeStackEvents',
      'CloudFormation.describeStackEvents',
      'CloudFormation.listStackResources',
      'CloudFormation.listStackResources',
    ]);
  });
});

describe('deploy: Ctrl-C', () => {
  it('during an update cancels it and follows the rollback (exit 130)', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    createChangeSet(stack);
    const stop = new AbortController();
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue(
        [['', '', 'UPDATE_IN_PROGRESS']],
        [['BlocklistTable', 'AWS::DynamoDB::Table', 'UPDATE_IN_PROGRESS']],
      );
      setImmediate(() => stop.abort());
      return {};
    });
    aws.cfn.on(CancelUpdateStackCommand).callsFake(() => {
      stack.queue([['', '', 'UPDATE_ROLLBACK_IN_PROGRESS']], [['', '', 'UPDATE_ROLLBACK_COMPLETE']]);
      return {};
    });
    const result = await deploy(testEngine({ signal: stop.signal }));
    expect(result).toMatchObject({
      status: 'interrupted',
      action: 'cancelled',
      stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
    });
    expect(exitCodeOf(result)).toBe(130);
  });

  it('during a first create deletes the half-made stack', async () => {
    const stack = new FakeStack(NAME);
    aws.useStack(stack);
    createChangeSet(stack);
    const stop = new AbortController();
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue([['', '', 'CREATE_IN_PROGRESS']]);
      setImmediate(() => stop.abort());
      return {};
    });
    aws.cfn.on(DeleteStackCommand).callsFake(() => {
      stack.queue([['', '', 'DELETE_IN_PROGRESS']], [['', '', 'DELETE_COMPLETE']]);
      return {};
    });
    const result = await deploy(testEngine({ signal: stop.signal }));
    expect(result).toMatchObject({
      status: 'interrupted',
      action: 'deleted',
      stackStatus: 'DELETE_COMPLETE',
    });
  });

  it('while the change set is computed waits for CloudFormation to finish it, then deletes it and the empty stack', async () => {
    const stack = new FakeStack(NAME);
    aws.useStack(stack);
    const stop = new AbortController();
    aws.cfn.on(CreateChangeSetCommand).callsFake(() => {
      stack.status = 'REVIEW_IN_PROGRESS';
      return { Id: 'arn:changeset/1', StackId: stack.id };
    });
    // Still computing when Ctrl-C comes, then done; CloudFormation refuses to delete it before.
    const statuses = ['CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE'];
    let computed = false;
    aws.cfn.on(DescribeChangeSetCommand).callsFake(() => {
      if (!stop.signal.aborted) setImmediate(() => stop.abort());
      const Status = statuses.shift() ?? 'CREATE_COMPLETE';
      computed = Status === 'CREATE_COMPLETE';
      return { Status, Changes: [] };
    });
    aws.cfn.on(DeleteChangeSetCommand).callsFake(() => {
      if (!computed)
        throw Object.assign(new Error('still computing'), { name: 'InvalidChangeSetStatusException' });
      return {};
    });
    aws.cfn.on(DeleteStackCommand).resolves({});
    const result = await deploy(testEngine({ signal: stop.signal }));
    expect(result).toMatchObject({ status: 'interrupted', action: 'stopped' });
    expect(exitCodeOf(result)).toBe(130);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.StackName).toBe(stack.id);
    if (result.status === 'interrupted')
      expect(result.nextSteps).toEqual([
        'sentinel deploy --mode foundation --stack-name SentinelSdkFoundation --region us-east-1',
      ]);
  });

  it('a second Ctrl-C while the change set is computed leaves it and says how to delete it', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    const stop = new AbortController();
    const detach = new AbortController();
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:changeset/2', StackId: stack.id });
    aws.cfn.on(DescribeChangeSetCommand).callsFake(() => {
      if (!stop.signal.aborted) setImmediate(() => stop.abort());
      else setImmediate(() => detach.abort());
      return { Status: 'CREATE_IN_PROGRESS' };
    });
    const result = await deploy(testEngine({ signal: stop.signal, detachSignal: detach.signal }));
    expect(result).toMatchObject({ status: 'interrupted', action: 'stopped' });
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    if (result.status === 'interrupted')
      expect(result.nextSteps[0]).toBe(
        'aws cloudformation delete-change-set --change-set-name arn:changeset/2 --region us-east-1',
      );
  });

  it('a second Ctrl-C detaches and prints the command to follow', async () => {
    const stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
    aws.useStack(stack);
    createChangeSet(stack);
    const stop = new AbortController();
    const detach = new AbortController();
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue([['', '', 'UPDATE_IN_PROGRESS']]);
      setImmediate(() => stop.abort());
      return {};
    });
    aws.cfn.on(CancelUpdateStackCommand).callsFake(() => {
      setImmediate(() => detach.abort());
      return {};
    });
    const result = await deploy(testEngine({ signal: stop.signal, detachSignal: detach.signal }));
    expect(result.status).toBe('interrupted');
    if (result.status !== 'interrupted') return;
    expect(result.action).toBe('detached');
    expect(result.nextSteps[0]).toBe(
      'sentinel status --stack-name SentinelSdkFoundation --region us-east-1 --follow',
    );
  });
});
