// The blocklist table survives a teardown (the stack retains it) and teardown says so; with
// --delete-data it goes too, after a confirmation that names it: protection off, then DeleteTable.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DeleteStackCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineDeps } from '../../../src/cli/engine-deps';
import { runCli } from '../../../src/cli/run';
import { virtualClock } from '../../../src/deploy/clock';
import { exitCodeOf } from '../../../src/deploy/results';
import { teardownStack } from '../../../src/deploy/teardown';
import {
  awsError,
  fakePackageRoot,
  FakeStack,
  mockAws,
  testEngine,
  type MockedAws,
} from '../../helpers/fake-aws';

const NAME = 'SentinelSdkFull';
const BLOCKLIST = 'SentinelSdkFull-BlocklistTable-1A2B3C';

let aws: MockedAws;
const newDynamoMock = () => mockClient(DynamoDBClient);
let dynamo: ReturnType<typeof newDynamoMock>;
let stack: FakeStack;
beforeEach(() => {
  aws = mockAws();
  dynamo = newDynamoMock();
  stack = new FakeStack(NAME).history(['', '', 'CREATE_COMPLETE']);
  aws.useStack(stack);
  aws.logs.on(DeleteLogGroupCommand).resolves({});
  aws.cfn.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      ['AnomalyDetectorFunction', 'SentinelSdkFull-Detector-abc', 'AWS::Lambda::Function'],
      ['BlocklistTable', BLOCKLIST, 'AWS::DynamoDB::Table'],
      ['RequestLogsTable', 'SentinelSdkFull-RequestLogsTable-XYZ', 'AWS::DynamoDB::Table'],
    ].map(([LogicalResourceId, PhysicalResourceId, ResourceType]) => ({
      LogicalResourceId,
      PhysicalResourceId,
      ResourceType,
      ResourceStatus: 'CREATE_COMPLETE' as const,
      LastUpdatedTimestamp: new Date(),
    })),
  });
  aws.cfn.on(DeleteStackCommand).callsFake(() => {
    stack.queue(
      [['', '', 'DELETE_IN_PROGRESS']],
      [['BlocklistTable', 'AWS::DynamoDB::Table', 'DELETE_SKIPPED']],
      [['', '', 'DELETE_COMPLETE']],
    );
    return {};
  });
});
afterEach(() => {
  aws.restore();
  dynamo.restore();
});

describe('teardown and the retained blocklist table', () => {
  it('leaves the table and reports it, asking nothing about data, without --delete-data', async () => {
    const engine = testEngine();
    const result = await teardownStack({ mode: 'full', stackName: NAME }, engine);
    expect(result).toMatchObject({
      status: 'deleted',
      keptData: [{ logicalId: 'BlocklistTable', tableName: BLOCKLIST }],
    });
    expect(engine.questions.map((q) => q.kind)).toEqual(['delete']);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('--delete-data asks naming the table, then turns protection off and deletes it after the stack', async () => {
    dynamo.on(UpdateTableCommand).resolves({});
    dynamo
      .on(DeleteTableCommand)
      .rejectsOnce(awsError('ResourceInUseException', 'Attempt to change a resource which is still in use'))
      .resolves({});
    const engine = testEngine();
    const result = await teardownStack({ mode: 'full', stackName: NAME, deleteData: true }, engine);
    expect(engine.questions).toContainEqual({ kind: 'delete-data', stackName: NAME, tables: [BLOCKLIST] });
    expect(result.status).toBe('deleted');
    if (result.status !== 'deleted') return;
    expect(result.keptData).toEqual([]);
    expect(result.cleaned).toContain(`DynamoDB table ${BLOCKLIST} and its data`);
    expect(dynamo.commandCalls(UpdateTableCommand)[0]!.args[0].input).toEqual({
      TableName: BLOCKLIST,
      DeletionProtectionEnabled: false,
    });
    expect(dynamo.commandCalls(DeleteTableCommand).map((c) => c.args[0].input.TableName)).toEqual([
      BLOCKLIST,
      BLOCKLIST,
    ]);
    // Only the retained table: the others go with the stack.
    expect(dynamo.calls().every((c) => JSON.stringify(c.args[0].input).includes(BLOCKLIST))).toBe(true);
  });

  it('--delete-data that AWS refuses names the failed call and still lists the table as kept', async () => {
    dynamo
      .on(UpdateTableCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: dynamodb:UpdateTable'));
    const result = await teardownStack({ mode: 'full', stackName: NAME, deleteData: true }, testEngine());
    expect(result.status).toBe('deleted');
    if (result.status !== 'deleted') return;
    expect(result.keptData).toEqual([{ logicalId: 'BlocklistTable', tableName: BLOCKLIST }]);
    expect(result.notCleaned).toEqual([
      expect.objectContaining({ call: 'DynamoDB UpdateTable', code: 'AccessDeniedException' }),
    ]);
    expect(dynamo.commandCalls(DeleteTableCommand)).toHaveLength(0);
  });

  it('--delete-data declined deletes nothing at all, with exit 3', async () => {
    const engine = testEngine({ answer: false });
    // The stack deletion is confirmed, the data deletion is not.
    engine.confirm = async (q) => {
      engine.questions.push(q);
      return q.kind !== 'delete-data';
    };
    const result = await teardownStack({ mode: 'full', stackName: NAME, deleteData: true }, engine);
    expect(result.status).toBe('declined');
    expect(exitCodeOf(result)).toBe(3);
    expect(aws.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('teardown --delete-data after the stack is gone', () => {
  const tag = (stackName: string) => ({ Tags: [{ Key: 'sentinel-api:stack', Value: stackName }] });

  it('finds the tables an earlier teardown kept, by name and stack tag, across pages, and deletes them', async () => {
    aws.useStack(new FakeStack(NAME));
    const other = 'SentinelSdkFull-BlocklistTable-OTHER';
    dynamo
      .on(ListTablesCommand)
      .resolvesOnce({ TableNames: ['unrelated', other], LastEvaluatedTableName: other })
      .resolvesOnce({ TableNames: [BLOCKLIST, 'SentinelSdkFull-RequestLogsTable-XYZ'] });
    dynamo.on(ListTagsOfResourceCommand).callsFake((input: { ResourceArn: string }) =>
      // A table of the same name pattern that carries another stack's tag is not ours.
      input.ResourceArn.endsWith(other) ? tag('SomeoneElse') : tag(NAME),
    );
    dynamo.on(UpdateTableCommand).resolves({});
    dynamo.on(DeleteTableCommand).resolves({});
    const engine = testEngine();
    const result = await teardownStack({ mode: 'full', stackName: NAME, deleteData: true }, engine);
    expect(engine.questions).toEqual([{ kind: 'delete-data', stackName: NAME, tables: [BLOCKLIST] }]);
    expect(result).toMatchObject({ status: 'absent', cleaned: [`DynamoDB table ${BLOCKLIST} and its data`] });
    expect(dynamo.commandCalls(ListTablesCommand)[1]!.args[0].input.ExclusiveStartTableName).toBe(other);
    expect(dynamo.commandCalls(ListTagsOfResourceCommand).map((c) => c.args[0].input.ResourceArn)).toEqual([
      `arn:aws:dynamodb:us-east-1:123456789012:table/${other}`,
      `arn:aws:dynamodb:us-east-1:123456789012:table/${BLOCKLIST}`,
    ]);
    expect(dynamo.commandCalls(DeleteTableCommand).map((c) => c.args[0].input.TableName)).toEqual([
      BLOCKLIST,
    ]);
  });

  it('looks for no tables without --delete-data', async () => {
    aws.useStack(new FakeStack(NAME));
    const result = await teardownStack({ mode: 'full', stackName: NAME }, testEngine());
    expect(result.status).toBe('absent');
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('sentinel teardown --delete-data (in-process)', () => {
  function sink() {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _e, cb) {
        text += chunk.toString();
        cb();
      },
    });
    return { stream, text: () => text };
  }
  async function cli(args: string[]) {
    const out = sink();
    const err = sink();
    const code = await runCli(args, {
      stdout: out.stream,
      stderr: err.stream,
      stdinIsTTY: false,
      env: { SENTINEL_API_AWS_REGION: 'us-east-1' },
      cwd: mkdtempSync(join(tmpdir(), 'cli-')),
    });
    return { code, stdout: out.text(), stderr: err.text() };
  }
  beforeEach(() => {
    engineDeps.clock = virtualClock();
    engineDeps.packageRoot = fakePackageRoot();
  });
  afterEach(() => {
    delete engineDeps.clock;
  });

  it('needs --yes when not in a terminal, and --json reports the deleted table', async () => {
    const refused = await cli(['teardown', '--delete-data', '--json']);
    expect(refused.code).toBe(3);
    expect(dynamo.calls()).toHaveLength(0);

    dynamo.on(UpdateTableCommand).resolves({});
    dynamo.on(DeleteTableCommand).resolves({});
    const run = await cli(['teardown', '--delete-data', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ event: 'result', status: 'deleted', keptData: [] });
    expect(result.cleaned).toContain(`DynamoDB table ${BLOCKLIST} and its data`);
  });

  it('without --delete-data, says which table it kept and how to delete it', async () => {
    const run = await cli(['teardown', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stderr + run.stdout).toContain(`kept BlocklistTable ${BLOCKLIST}`);
    expect(dynamo.calls()).toHaveLength(0);
  });
});
