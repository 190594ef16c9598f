// Which events a deploy follows: only the running operation when it attaches to a busy stack, only
// its own operation even when the event marker cannot be read, and a create that CloudFormation has
// not started yet (REVIEW_IN_PROGRESS) is still running.
import {
  CreateChangeSetCommand,
  type DescribeStackEventsCommandInput,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../../../src/deploy/deploy';
import type { DeployEvent } from '../../../src/deploy/events';
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
const TABLE = 'AWS::DynamoDB::Table';
const FN = 'AWS::Lambda::Function';

function changeSetFor(
  stack: FakeStack,
  changes = [change('Modify', 'AnomalyDetectorFunction', FN, 'False')],
) {
  aws.cfn.on(CreateChangeSetCommand).callsFake(() => {
    if (stack.status === undefined || stack.status === 'DELETE_COMPLETE') stack.status = 'REVIEW_IN_PROGRESS';
    return { Id: 'arn:changeset/1', StackId: stack.id };
  });
  aws.cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', Changes: changes });
}

const resourceLines = (events: DeployEvent[]) =>
  events.flatMap((e) => (e.type === 'resource' ? [`${e.logicalId} ${e.status}`] : []));

describe('deploy: following events', () => {
  it('attaching to a busy stack follows only the running operation, not the history', async () => {
    // A teardown started elsewhere is deleting the stack; an earlier update failed and rolled back.
    const stack = new FakeStack(NAME).history(
      ['', '', 'CREATE_IN_PROGRESS'],
      ['BlocklistTable', TABLE, 'CREATE_COMPLETE'],
      ['', '', 'CREATE_COMPLETE'],
      ['', '', 'UPDATE_IN_PROGRESS'],
      ['AnomalyDetectorFunction', FN, 'UPDATE_FAILED', 'Function code too large'],
      ['', '', 'UPDATE_ROLLBACK_IN_PROGRESS'],
      ['AnomalyDetectorFunction', FN, 'UPDATE_COMPLETE'],
      ['', '', 'UPDATE_ROLLBACK_COMPLETE'],
      ['', '', 'DELETE_IN_PROGRESS', 'User Initiated'],
      ['BlocklistTable', TABLE, 'DELETE_IN_PROGRESS'],
    );
    stack.queue([['BlocklistTable', TABLE, 'DELETE_COMPLETE']], [['', '', 'DELETE_COMPLETE']]);
    aws.useStack(stack);
    changeSetFor(stack, [change('Add', 'BlocklistTable', TABLE)]);
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue(
        [['', '', 'CREATE_IN_PROGRESS']],
        [['BlocklistTable', TABLE, 'CREATE_COMPLETE']],
        [['', '', 'CREATE_COMPLETE']],
      );
      return {};
    });
    const engine = testEngine();

    const result = await deployStack({ mode: 'foundation', stackName: NAME, config: testConfig() }, engine);

    expect(result).toMatchObject({ status: 'deployed', created: true });
    const beforeChangeSet = engine.events.slice(
      0,
      engine.events.findIndex((e) => e.type === 'step' && e.step === 'change-set'),
    );
    expect(resourceLines(beforeChangeSet)).toEqual([
      `${NAME} DELETE_IN_PROGRESS`,
      'BlocklistTable DELETE_IN_PROGRESS',
      'BlocklistTable DELETE_COMPLETE',
      `${NAME} DELETE_COMPLETE`,
    ]);
  });

  it('when the event marker cannot be read, falls back to time: old failures are neither replayed nor cited', async () => {
    const stack = new FakeStack(NAME).history(
      ['', '', 'CREATE_COMPLETE'],
      ['', '', 'UPDATE_IN_PROGRESS'],
      ['AlertTopic', 'AWS::SNS::Topic', 'UPDATE_FAILED', 'an old failure, already dealt with'],
      ['', '', 'UPDATE_ROLLBACK_COMPLETE'],
    );
    aws.useStack(stack);
    changeSetFor(stack);
    // The first DescribeStackEvents of the deploy is the marker read: it is refused.
    let calls = 0;
    const original = stack.describeStackEvents.bind(stack);
    stack.describeStackEvents = (input: DescribeStackEventsCommandInput) => {
      calls += 1;
      if (calls === 1) throw awsError('AccessDenied', 'not authorized', 403);
      return original(input);
    };
    const engine = testEngine();
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.at(engine.clock.now()).queue(
        [['', '', 'UPDATE_IN_PROGRESS']],
        [['AnomalyDetectorFunction', FN, 'UPDATE_FAILED', 'Code storage limit exceeded']],
        [['', '', 'UPDATE_ROLLBACK_IN_PROGRESS']],
        [
          ['AnomalyDetectorFunction', FN, 'UPDATE_COMPLETE'],
          ['', '', 'UPDATE_ROLLBACK_COMPLETE'],
        ],
      );
      return {};
    });

    const result = await deployStack({ mode: 'foundation', stackName: NAME, config: testConfig() }, engine);

    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.rootCause.map((f) => f.logicalId)).toEqual(['AnomalyDetectorFunction']);
    expect(resourceLines(engine.events)).not.toContain('AlertTopic UPDATE_FAILED');
    expect(resourceLines(engine.events)[0]).toBe(`${NAME} UPDATE_IN_PROGRESS`);
  });

  it('a create CloudFormation has not started yet (REVIEW_IN_PROGRESS) is still running', async () => {
    const stack = new FakeStack(NAME);
    aws.useStack(stack);
    changeSetFor(stack, [change('Add', 'BlocklistTable', TABLE)]);
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      // Several polls (past the first status read) before the create starts.
      stack.queue(
        [],
        [],
        [],
        [['', '', 'CREATE_IN_PROGRESS']],
        [['BlocklistTable', TABLE, 'CREATE_COMPLETE']],
        [['', '', 'CREATE_COMPLETE']],
      );
      return {};
    });

    const result = await deployStack(
      { mode: 'foundation', stackName: NAME, config: testConfig() },
      testEngine(),
    );

    expect(result).toMatchObject({ status: 'deployed', stackStatus: 'CREATE_COMPLETE' });
  });
});
