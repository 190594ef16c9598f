// Idempotent change-set calls: a request CloudFormation accepted but whose response was lost is
// retried with the same token, and CloudFormation (scripted here as it documents it) treats the
// retry as the same request instead of failing the deploy while the stack updates.
import {
  CreateChangeSetCommand,
  type CreateChangeSetCommandInput,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  type ExecuteChangeSetCommandInput,
} from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../../../src/deploy/deploy';
import { exitCodeOf } from '../../../src/deploy/results';
import {
  awsError,
  change,
  connectionReset,
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
const deploy = () => deployStack({ mode: 'foundation', stackName: NAME, config: testConfig() }, testEngine());

function existingStack() {
  const stack = new FakeStack(NAME).history(['', '', 'CREATE_IN_PROGRESS'], ['', '', 'CREATE_COMPLETE']);
  aws.useStack(stack);
  aws.cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    Changes: [change('Modify', 'AnomalyDetectorFunction', 'AWS::Lambda::Function', 'False')],
  });
  return stack;
}

const update = (stack: FakeStack) =>
  stack.queue(
    [['', '', 'UPDATE_IN_PROGRESS']],
    [['AnomalyDetectorFunction', 'AWS::Lambda::Function', 'UPDATE_COMPLETE']],
    [['', '', 'UPDATE_COMPLETE']],
  );

describe('deploy: lost responses', () => {
  it('retries a lost ExecuteChangeSet with the same ClientRequestToken and deploys (exit 0)', async () => {
    const stack = existingStack();
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:changeset/upd-1', StackId: stack.id });
    const executions: string[] = [];
    aws.cfn.on(ExecuteChangeSetCommand).callsFake((input: ExecuteChangeSetCommandInput) => {
      if (executions.length === 0) {
        // CloudFormation accepts the request and starts the update; the response never arrives.
        executions.push(input.ClientRequestToken ?? '');
        update(stack);
        throw connectionReset();
      }
      if (input.ClientRequestToken && input.ClientRequestToken === executions[0]) return {};
      throw awsError(
        'InvalidChangeSetStatusException',
        'ChangeSet [arn:changeset/upd-1] cannot be executed in its current status of [EXECUTE_IN_PROGRESS]',
      );
    });

    const result = await deploy();

    expect(result).toMatchObject({ status: 'deployed', stackStatus: 'UPDATE_COMPLETE' });
    expect(exitCodeOf(result)).toBe(0);
    const tokens = aws.cfn
      .commandCalls(ExecuteChangeSetCommand)
      .map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(executions).toHaveLength(1);
  });

  it('retries a lost CreateChangeSet with the same ClientToken and gets the change set already made', async () => {
    const stack = existingStack();
    const made = new Map<string, string>();
    aws.cfn.on(CreateChangeSetCommand).callsFake((input: CreateChangeSetCommandInput) => {
      const token = input.ClientToken;
      if (token && made.has(token)) return { Id: made.get(token), StackId: stack.id };
      if (made.size > 0)
        throw awsError('AlreadyExistsException', `ChangeSet ${input.ChangeSetName} already exists`);
      made.set(token ?? '', `arn:changeset/${input.ChangeSetName}`);
      throw connectionReset();
    });
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      update(stack);
      return {};
    });

    const result = await deploy();

    expect(result.status).toBe('deployed');
    const calls = aws.cfn.commandCalls(CreateChangeSetCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.ClientToken).toBeTruthy();
    expect(calls[1]!.ClientToken).toBe(calls[0]!.ClientToken);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input.ChangeSetName).toBe(
      `arn:changeset/${calls[0]!.ChangeSetName}`,
    );
  });

  it('retries a lost DeleteStack (recreating a failed first create) with the same ClientRequestToken', async () => {
    const stack = new FakeStack(NAME).history(
      ['', '', 'CREATE_IN_PROGRESS'],
      ['AlertTopic', 'AWS::SNS::Topic', 'CREATE_FAILED', 'Access Denied for sns:CreateTopic'],
      ['', '', 'ROLLBACK_COMPLETE'],
    );
    aws.useStack(stack);
    aws.cfn.on(DeleteStackCommand).callsFakeOnce(() => {
      stack.queue([['', '', 'DELETE_IN_PROGRESS']], [['', '', 'DELETE_COMPLETE']]);
      throw connectionReset();
    });
    aws.cfn.on(CreateChangeSetCommand).callsFake(() => {
      stack.status = 'REVIEW_IN_PROGRESS';
      return { Id: 'arn:changeset/create-2', StackId: stack.id };
    });
    aws.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [change('Add', 'AlertTopic', 'AWS::SNS::Topic')],
    });
    aws.cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      stack.queue([['', '', 'CREATE_IN_PROGRESS']], [['', '', 'CREATE_COMPLETE']]);
      return {};
    });

    const result = await deploy();

    expect(result).toMatchObject({ status: 'deployed', created: true });
    const tokens = aws.cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });
});
