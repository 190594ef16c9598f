// Redeploying an unchanged stack succeeds (exit 0, result no-changes) whichever way "no changes"
// arrives: a FAILED change set with CloudFormation's status reason, or a ValidationError thrown by
// CreateChangeSet itself, as some CloudFormation emulators answer.
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../../../src/deploy/deploy';
import { exitCodeOf } from '../../../src/deploy/results';
import { awsError, FakeStack, mockAws, testConfig, testEngine, type MockedAws } from '../../helpers/fake-aws';

let aws: MockedAws;
beforeEach(() => {
  aws = mockAws();
  const stack = new FakeStack(NAME).history(['', '', 'CREATE_IN_PROGRESS'], ['', '', 'CREATE_COMPLETE']);
  stack.outputs = { BlocklistTableName: 'blocks-1' };
  aws.useStack(stack);
});
afterEach(() => aws.restore());

const NAME = 'SentinelSdkFoundation';
const deploy = () => deployStack({ mode: 'foundation', stackName: NAME, config: testConfig() }, testEngine());

describe('deploy: no changes', () => {
  it.each([
    "The submitted information didn't contain changes. Submit different information to create a change set.",
    'No updates are to be performed.',
  ])('a FAILED change set with the reason "%s" ends as no-changes (exit 0)', async (StatusReason) => {
    aws.cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:changeset/noop', StackId: 'sid' });
    aws.cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason });
    const result = await deploy();
    expect(result).toMatchObject({
      status: 'no-changes',
      stackStatus: 'CREATE_COMPLETE',
      outputs: { BlocklistTableName: 'blocks-1' },
    });
    expect(exitCodeOf(result)).toBe(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(aws.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('a ValidationError "No updates are to be performed." from CreateChangeSet ends as no-changes (exit 0)', async () => {
    aws.cfn
      .on(CreateChangeSetCommand)
      .rejects(awsError('ValidationError', 'No updates are to be performed.'));
    const result = await deploy();
    expect(result).toMatchObject({ status: 'no-changes', stackStatus: 'CREATE_COMPLETE' });
    expect(exitCodeOf(result)).toBe(0);
    expect(aws.cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('any other ValidationError from CreateChangeSet is still an error', async () => {
    const invalid = awsError('ValidationError', 'Template format error: unresolved resource dependencies');
    aws.cfn.on(CreateChangeSetCommand).rejects(invalid);
    await expect(deploy()).rejects.toBe(invalid);
  });
});
